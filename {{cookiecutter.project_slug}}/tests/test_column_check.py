import numpy as np
import pytest

from {{ cookiecutter.module_name }}.column_check import (
    RANGE_MARGIN,
    ColumnError,
    Given,
    allowed_range,
    check_columns,
)
from {{ cookiecutter.module_name }}.schema import Feature, FeatureSchema

SCHEMA = FeatureSchema(
    target="y",
    classes=["a", "b"],
    features=[
        Feature(name="mass", kind="numeric", min=10.0, max=20.0),
        Feature(name="island", kind="categorical", categories=["Biscoe", "Dream"]),
        Feature(name="code", kind="categorical", categories=["3", "8"]),
        Feature(name="flag", kind="categorical", categories=["False", "True"]),
    ],
    ignored={"id": "an identifier"},
)
GOOD: dict[str, Given] = {
    "mass": [12.5, None, 20],
    "island": ["Dream", None, "Biscoe"],
    "code": [8, 3.0, None],
    "flag": [True, False, None],
}


def problems(columns):
    with pytest.raises(ColumnError) as raised:
        check_columns(SCHEMA, columns)
    return [(p.column, p.row, p.kind) for p in raised.value.problems]


def test_lists_become_the_graphs_arrays():
    mass, island, code, flag = check_columns(SCHEMA, {**GOOD, "id": ["x", "y", "z"]})
    np.testing.assert_array_equal(mass, [12.5, np.nan, 20.0])
    assert island.tolist() == ["Dream", "", "Biscoe"]  # "" is what the graph imputes
    assert code.tolist() == ["8", "3", ""]  # codes sent as numbers are the category's text
    assert flag.tolist() == ["True", "False", ""]


def test_arrays_from_a_file_read_alike_and_nan_is_missing():
    from_file = {
        "mass": np.array([12.5, np.nan, 20]),
        "island": np.array(["Dream", None, "Biscoe"], dtype=object),
        "code": np.array([8.0, 3.0, np.nan]),
        "flag": np.array([True, False, None], dtype=object),
    }
    expected = check_columns(SCHEMA, GOOD)
    for got, same in zip(check_columns(SCHEMA, from_file), expected, strict=True):
        np.testing.assert_array_equal(got, same)


@pytest.mark.parametrize(
    ("column", "values", "row", "kind"),
    [
        ("mass", [12.5, "13", 14.0], 1, "float_type"),
        ("mass", [12.5, 13.0, True], 2, "float_type"),
        ("mass", [float("nan"), 13.0, 14.0], 0, "finite_number"),  # JSON's NaN: not missing
        ("mass", np.array([12.5, np.inf, 14.0]), 1, "finite_number"),
        ("mass", [12.5, 13.0, 10**400], 2, "finite_number"),
        ("mass", [12.5, 220.5, 14.0], 1, "less_than_equal"),  # 20 + 10 spans of 20
        ("mass", [-1e300, 13.0, 14.0], 0, "greater_than_equal"),
        ("island", ["Dream", "Mars", "Venus"], 1, "literal_error"),
        ("island", ["Dream", "", "Dream"], 1, "literal_error"),  # "" is no category
        ("code", [8, 3, 5], 2, "literal_error"),
        ("flag", [True, "yes", None], 1, "literal_error"),
    ],
)
def test_a_bad_value_is_named_with_its_first_row(column, values, row, kind):
    assert problems({**GOOD, column: values}) == [(column, row, kind)]


def test_every_bad_column_is_named_at_once():
    found = problems({**GOOD, "mass": ["x", 1.0, 2.0], "island": ["Mars", None, None]})
    assert found == [("mass", 0, "float_type"), ("island", 0, "literal_error")]


def test_missing_unknown_and_short_columns_are_named():
    assert problems({k: v for k, v in GOOD.items() if k != "code"}) == [("code", None, "missing")]
    assert problems({**GOOD, "colour": [1, 2, 3]}) == [("colour", None, "extra_forbidden")]
    assert problems({**GOOD, "island": ["Dream"]}) == [("island", None, "length")]


def test_the_range_widens_the_training_range_by_the_margin():
    assert allowed_range(SCHEMA.features[0]) == (
        10.0 - RANGE_MARGIN * 20.0,
        20.0 + RANGE_MARGIN * 20.0,
    )
    assert allowed_range(Feature(name="n", kind="numeric")) is None
