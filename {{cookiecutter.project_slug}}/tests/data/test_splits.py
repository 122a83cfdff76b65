"""The three splits: disjoint, reproducible, stratified for classes."""

import pytest

from {{ cookiecutter.module_name }}.data.splits import split
from {{ cookiecutter.module_name }}.data.validation import task_of, validate
from {{ cookiecutter.module_name }}.tasks import TASKS


@pytest.fixture
def table(raw, base_settings):
    return validate(raw, base_settings.data, base_settings.task)


def test_split_is_stratified_and_disjoint(table, base_settings):
    cfg, target = base_settings.data, base_settings.data.target
    parts = split(table, cfg, 0, TASKS[task_of(table, target)])
    indexes = [set(part.index) for part in parts.values()]
    assert sum(map(len, indexes)) == len(table)
    assert set.union(*indexes) == set(table.index)
    assert len(parts["test"]) == pytest.approx(cfg.test_size * len(table), abs=1)
    overall = table[target].value_counts(normalize=True)
    for part in parts.values():
        share = part[target].value_counts(normalize=True)
        assert (share - overall).abs().max() < 0.05


def test_split_is_reproducible(table, base_settings):
    spec = TASKS[task_of(table, base_settings.data.target)]
    first = split(table, base_settings.data, 7, spec)
    second = split(table, base_settings.data, 7, spec)
    assert all(first[name].index.equals(second[name].index) for name in first)
