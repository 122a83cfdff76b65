import functools
import http.server
import threading

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.config import DataSettings, SettingsError, load_settings
from {{ cookiecutter.module_name }}.data import (
    DataError,
    load_source,
    load_splits,
    prepare,
    split,
    validate,
)


@pytest.fixture
def table(raw, base_settings):
    return validate(raw, base_settings.data, base_settings.task)


def test_validate_keeps_every_row_with_a_target(raw, table, base_settings):
    target = base_settings.data.target
    assert len(table) == raw[target].notna().sum()
    assert table[target].notna().all()


def test_missing_target_column_is_named(raw, base_settings):
    cfg = base_settings.data.model_copy(update={"target": "no_such_column"})
    with pytest.raises(DataError, match=r"'no_such_column' \(data\.target"):
        validate(raw, cfg)


def test_missing_drop_column_is_named(raw, base_settings):
    cfg = base_settings.data.model_copy(update={"drop": ["ghost"]})
    with pytest.raises(DataError, match=r"'ghost' \(data\.drop"):
        validate(raw, cfg)


def test_single_class_is_refused(raw, base_settings):
    target = base_settings.data.target
    one_class = raw.assign(**{target: "only"})
    with pytest.raises(DataError, match="one class"):
        validate(one_class, base_settings.data)


def test_empty_target_is_refused(raw, base_settings):
    target = base_settings.data.target
    with pytest.raises(DataError, match="no values"):
        validate(raw.assign(**{target: None}), base_settings.data)


def test_rows_without_target_are_dropped(raw, base_settings):
    target = base_settings.data.target
    holed = raw.copy()
    holed.loc[holed.index[:5], target] = None
    assert len(validate(holed, base_settings.data)) == len(validate(raw, base_settings.data)) - 5


def test_dates_empty_and_constant_columns_are_dropped_by_name(raw, base_settings, caplog):
    dates = pd.date_range("2024-01-01", periods=len(raw), freq="D")
    extra = raw.assign(
        seen=dates,
        seen_text=dates.strftime("%Y-%m-%dT%H:%M"),
        blank=float("nan"),
        same="x",
        code=[f"c{i % 3}" for i in range(len(raw))],  # text, not dates: kept
    )
    kept = validate(extra, base_settings.data)
    assert "code" in kept.columns
    assert not {"seen", "seen_text", "blank", "same"} & set(kept.columns)
    assert list(validate(raw, base_settings.data).columns) == [
        c for c in kept.columns if c != "code"
    ]
    warnings = "\n".join(r.getMessage() for r in caplog.records)
    assert "'seen', 'seen_text': dates" in warnings
    assert "'blank': empty" in warnings
    assert "'same': constant" in warnings


def test_a_column_unique_per_row_is_reported_as_a_likely_id(raw, base_settings, caplog):
    kept = validate(raw.assign(penguin_id=range(len(raw))), base_settings.data)
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
    table = validate(codes, cfg)
    assert set(table["year"].dropna()) == {"2007", "2008", "2009"}
    assert table["year"].isna().sum() == codes["year"].isna().sum()
    assert table["bill_length_mm"].dtype == "float64"
    pd.testing.assert_series_equal(
        table["bill_length_mm"], validate(raw, PENGUINS)["bill_length_mm"]
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


def test_split_is_stratified_and_disjoint(table, base_settings):
    cfg, target = base_settings.data, base_settings.data.target
    parts = split(table, cfg, seed=0)
    indexes = [set(part.index) for part in parts.values()]
    assert sum(map(len, indexes)) == len(table)
    assert set.union(*indexes) == set(table.index)
    assert len(parts["test"]) == pytest.approx(cfg.test_size * len(table), abs=1)
    overall = table[target].value_counts(normalize=True)
    for part in parts.values():
        share = part[target].value_counts(normalize=True)
        assert (share - overall).abs().max() < 0.05


def test_split_is_reproducible(table, base_settings):
    first = split(table, base_settings.data, seed=7)
    second = split(table, base_settings.data, seed=7)
    assert all(first[name].index.equals(second[name].index) for name in first)


def test_prepare_writes_splits_and_schema(settings):
    schema = prepare(settings)
    splits, loaded = load_splits(settings.paths.processed)
    assert loaded == schema
    assert set(splits) == {"train", "val", "test"}
    assert not list(settings.paths.processed.glob(".tmp-*"))
    train = splits["train"]
    for feature in schema.features:
        if feature.kind == "numeric":
            assert feature.min == train[feature.name].min()
        else:
            assert set(feature.categories) == set(train[feature.name].dropna())


def test_csv_and_parquet_sources(raw, tmp_path):
    raw.to_csv(tmp_path / "table.csv", index=False)
    raw.to_parquet(tmp_path / "table.parquet")
    for name in ("table.csv", "table.parquet"):
        loaded = load_source(str(tmp_path / name))
        assert list(loaded.columns) == list(raw.columns)
        assert len(loaded) == len(raw)


def test_http_source(raw, tmp_path):
    raw.to_csv(tmp_path / "table.csv", index=False)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        loaded = load_source(f"http://127.0.0.1:{server.server_port}/table.csv")
    finally:
        server.shutdown()
    assert len(loaded) == len(raw)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match=r"nothing\.csv"):
        load_source(str(tmp_path / "nothing.csv"))


def test_unreadable_csv_is_named(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\xff\xfe binary \x00 not a table")
    with pytest.raises(DataError, match=r"bad\.csv"):
        load_source(str(bad))


def test_unknown_format_is_named(tmp_path):
    odd = tmp_path / "table.xlsx"
    odd.write_text("x")
    with pytest.raises(DataError, match=r"table\.xlsx"):
        load_source(str(odd))


def test_bad_data_leaves_previous_splits_untouched(settings, raw):
    prepare(settings)
    before = {p.name: p.read_bytes() for p in settings.paths.processed.iterdir()}
    broken = settings.data.model_copy(update={"target": "no_such_column"})
    with pytest.raises(DataError):
        prepare(settings.model_copy(update={"data": broken}))
    after = {p.name: p.read_bytes() for p in settings.paths.processed.iterdir()}
    assert after == before
