"""Rare classes: dropped with one warning, or refused naming all of them, never half split."""

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.data import DataError
from {{ cookiecutter.module_name }}.data.classes import rows_needed
from {{ cookiecutter.module_name }}.data.splits import split
from {{ cookiecutter.module_name }}.data.validation import validate
from {{ cookiecutter.module_name }}.sections import DataSettings
from {{ cookiecutter.module_name }}.tasks import CLASSIFICATION

CFG = DataSettings(target="y")


def table(counts: dict[str, int]) -> pd.DataFrame:
    labels = [label for label, n in counts.items() for _ in range(n)]
    rng = np.random.default_rng(0)
    frame: pd.DataFrame = pd.DataFrame({"x": rng.normal(size=len(labels)), "y": labels})
    return frame


def test_classes_too_rare_for_every_split_are_dropped_with_one_warning(caplog):
    found = validate(table({"a": 60, "b": 50, "c": 4, "d": 1}), CFG)
    assert set(found.table["y"]) == {"a", "b"}
    assert found.rare == {"c": 4, "d": 1}
    [warning] = [r.getMessage() for r in caplog.records if "data.min_class_rows" in r.getMessage()]
    assert "'c' (4 rows), 'd' (1 rows)" in warning


def test_a_minimum_below_what_a_split_needs_names_every_class_it_would_keep():
    cfg = CFG.model_copy(update={"min_class_rows": 3})
    with pytest.raises(DataError, match=r"min_class_rows: 3 .*'c' \(4 rows\), 'd' \(3 rows\)"):
        validate(table({"a": 60, "b": 50, "c": 4, "d": 3, "e": 2}), cfg)


def test_a_higher_minimum_drops_more():
    cfg = CFG.model_copy(update={"min_class_rows": 55})
    assert validate(table({"a": 60, "b": 56, "c": 50}), cfg).rare == {"c": 50}


def test_one_class_left_is_refused_naming_them_all():
    with pytest.raises(
        DataError, match=r"fewer than two classes .* 'a' \(60 rows\), 'b' \(3 rows\)"
    ):
        validate(table({"a": 60, "b": 3}), CFG)


def test_every_kept_class_is_in_every_split():
    """Thirty classes of exactly the rows needed: each one lands in train, validation and test."""
    needed = rows_needed(CFG)
    kept = validate(table({f"c{i}": needed for i in range(30)}), CFG).table
    for seed in range(5):
        for name, part in split(kept, CFG, seed, CLASSIFICATION).items():
            assert set(part["y"]) == set(kept["y"]), (seed, name)
