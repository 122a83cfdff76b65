"""The three splits: disjoint, reproducible, stratified for classes."""

import pytest

from {{ cookiecutter.module_name }}.data.splits import split
from {{ cookiecutter.module_name }}.data.validation import task_of
from {{ cookiecutter.module_name }}.tasks import TASKS


def test_split_is_disjoint_and_sized(table, base_settings):
    cfg = base_settings.data
    parts = split(table, cfg, 0, TASKS[task_of(table, cfg.target)])
    indexes = [set(part.index) for part in parts.values()]
    assert sum(map(len, indexes)) == len(table)
    assert set.union(*indexes) == set(table.index)
    assert len(parts["test"]) == pytest.approx(cfg.test_size * len(table), abs=1)


def test_classes_keep_their_shares_in_every_split(table, base_settings):
    target = base_settings.data.target
    spec = TASKS[task_of(table, target)]
    if not spec.stratified:
        pytest.skip(f"{spec.name}: rows are split at random, with no classes to keep")
    parts = split(table, base_settings.data, 0, spec)
    overall = table[target].value_counts(normalize=True)
    for part in parts.values():
        share = part[target].value_counts(normalize=True)
        # Whole rows: a class can be off by a row or two in each split, no more.
        assert (share - overall).abs().max() < max(0.05, 2 / len(part))


def test_split_is_reproducible(table, base_settings):
    spec = TASKS[task_of(table, base_settings.data.target)]
    first = split(table, base_settings.data, 7, spec)
    second = split(table, base_settings.data, 7, spec)
    assert all(first[name].index.equals(second[name].index) for name in first)
