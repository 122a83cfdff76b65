import functools
import http.server
import threading

import pandas as pd
import pytest

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
    return validate(raw, base_settings.data)


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


def test_datetime_column_is_named(raw, base_settings):
    with_date = raw.assign(seen=pd.Timestamp("2024-01-01"))
    with pytest.raises(DataError, match="'seen'"):
        validate(with_date, base_settings.data)


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
