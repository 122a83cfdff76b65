"""Column rules: kinds set in params.yaml, and columns no model can use, each named."""

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.config import SettingsError, load_settings
from {{ cookiecutter.module_name }}.data import DataError
from {{ cookiecutter.module_name }}.data.sources import load_source
from {{ cookiecutter.module_name }}.data.validation import validate
from {{ cookiecutter.module_name }}.sections import DataSettings


def test_dates_empty_and_constant_columns_are_dropped_by_name(raw, base_settings, caplog):
    dates = pd.date_range("2024-01-01", periods=len(raw), freq="D")
    extra = raw.assign(
        seen=dates,
        seen_text=dates.strftime("%Y-%m-%dT%H:%M"),
        blank=float("nan"),
        same="x",
        code=[f"c{i % 3}" for i in range(len(raw))],  # text, not dates: kept
    )
    kept = validate(extra, base_settings.data).table
    assert "code" in kept.columns
    assert not {"seen", "seen_text", "blank", "same"} & set(kept.columns)
    assert list(validate(raw, base_settings.data).table.columns) == [
        c for c in kept.columns if c != "code"
    ]
    warnings = "\n".join(r.getMessage() for r in caplog.records)
    assert "'seen', 'seen_text': dates" in warnings
    assert "'blank': empty" in warnings
    assert "'same': constant" in warnings
    added = {"seen": "dates", "seen_text": "dates", "blank": "empty", "same": "constant"}
    dropped = validate(extra, base_settings.data).dropped
    assert dropped == validate(raw, base_settings.data).dropped | added  # the table's own too


def test_a_column_unique_per_row_is_reported_as_a_likely_id(raw, base_settings, caplog):
    kept = validate(raw.assign(penguin_id=range(len(raw))), base_settings.data).table
    assert "penguin_id" in kept.columns  # reported, not dropped: only the user knows
    assert "'penguin_id' has a different value in every row: likely an id" in caplog.text
    caplog.clear()
    validate(raw, base_settings.data)
    assert "likely an id" not in caplog.text  # float measurements are not ids


# The override tests need known columns: the penguins, whatever this project's table is.
PENGUINS = DataSettings(source="penguins", target="species")


@pytest.fixture(scope="module")
def penguins():
    return load_source("penguins")


def test_kind_overrides_make_codes_categories_and_text_numbers(penguins):
    raw = penguins
    codes = raw.assign(
        year=raw["year"].astype(float).where(raw.index % 7 > 0),  # floats with holes
        bill_length_mm=raw["bill_length_mm"].map(lambda v: None if pd.isna(v) else f"{v}"),
    )
    cfg = PENGUINS.model_copy(update={"categorical": ["year"], "numeric": ["bill_length_mm"]})
    table = validate(codes, cfg).table
    assert set(table["year"].dropna()) == {"2007", "2008", "2009"}
    assert table["year"].isna().sum() == codes["year"].isna().sum()
    assert table["bill_length_mm"].dtype == "float64"
    pd.testing.assert_series_equal(
        table["bill_length_mm"], validate(raw, PENGUINS).table["bill_length_mm"]
    )


def test_a_numeric_override_names_the_value_that_is_not_a_number(penguins):
    text = penguins.assign(island=penguins["island"].where(penguins.index != 3, "4.5"))
    cfg = PENGUINS.model_copy(update={"numeric": ["island"]})
    with pytest.raises(DataError, match=r"column 'island' \(data.numeric\): 'Torgersen' \(row 1"):
        validate(text, cfg)


def test_a_column_with_two_roles_is_refused(tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text(
        "mlflow: {experiment: e, registered_model: m}\n"
        "data: {target: species, categorical: [year], numeric: [year]}\n"
    )
    with pytest.raises(SettingsError, match="'year' is listed as both categorical and numeric"):
        load_settings(params)


def test_a_nul_byte_in_a_text_value_is_named_with_its_column_and_row(raw, base_settings):
    notes = pd.Series(["fine"] * len(raw), dtype=object)
    notes.iloc[3], notes.iloc[7] = "bad\x00value", "\x00"
    with pytest.raises(DataError, match=r"column 'notes': 'bad\\x00value' \(row 4 of the table\)"):
        validate(raw.assign(notes=notes.to_numpy()), base_settings.data)
    as_text = notes.astype("string").to_numpy()  # pandas' own string type, checked alike
    with pytest.raises(DataError, match=r"column 'notes'.*row 4 of the table"):
        validate(raw.assign(notes=as_text), base_settings.data)


def test_text_without_nul_bytes_passes(raw, base_settings):
    notes = [None if i % 5 == 0 else f"n{i % 3}" for i in range(len(raw))]
    assert "notes" in validate(raw.assign(notes=notes), base_settings.data).table.columns
