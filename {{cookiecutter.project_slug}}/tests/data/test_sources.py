"""Where the table comes from: files, URLs, built-in names; errors name the file and the key."""

import functools
import http.server
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from {{ cookiecutter.module_name }}.data import DataError
from {{ cookiecutter.module_name }}.data.sources import DOWNLOADS, ingest, load_source, read_table
from {{ cookiecutter.module_name }}.sections import DataSettings


def test_csv_and_parquet_sources(raw, tmp_path):
    raw.to_csv(tmp_path / "table.csv", index=False)
    raw.to_parquet(tmp_path / "table.parquet")
    for name in ("table.csv", "table.parquet"):
        loaded = load_source(str(tmp_path / name))
        assert list(loaded.columns) == list(raw.columns)
        assert len(loaded) == len(raw)


def test_http_source_is_fetched_into_the_raw_folder(raw, tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    raw.to_csv(served / "table.csv", index=False)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/table.csv"
    try:
        loaded = ingest(DataSettings(source=url), tmp_path / "raw")
    finally:
        server.shutdown()
        server.server_close()
    assert len(loaded) == len(raw)
    fetched = tmp_path / "raw" / DOWNLOADS / "table.csv"
    assert fetched.read_bytes() == (served / "table.csv").read_bytes()  # what DVC sees


def test_a_url_in_another_format_is_refused_before_fetching(tmp_path):
    # Nothing listens on this port: the refusal comes before any connection.
    with pytest.raises(DataError, match=r"data\.source: 'http://127\.0\.0\.1:9/t\.xlsx' must"):
        ingest(DataSettings(source="http://127.0.0.1:9/t.xlsx"), tmp_path)


def test_a_file_in_the_raw_folder_is_read(raw, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the project root, where make runs the step
    (tmp_path / "data" / "raw").mkdir(parents=True)
    raw.to_csv("data/raw/table.csv", index=False)
    for source in ("data/raw/table.csv", str(tmp_path / "data" / "raw" / "table.csv")):
        assert len(ingest(DataSettings(source=source), Path("data/raw"))) == len(raw)


def test_a_file_outside_the_raw_folder_is_refused_unless_allowed(raw, tmp_path):
    raw.to_csv(tmp_path / "table.csv", index=False)
    (tmp_path / "raw").mkdir()
    for source in (tmp_path / "table.csv", tmp_path / "raw" / ".." / "table.csv"):
        cfg = DataSettings(source=str(source))
        with pytest.raises(DataError, match=r"data\.source: .*table\.csv' is outside .*allow_"):
            ingest(cfg, tmp_path / "raw")
        allowed = cfg.model_copy(update={"allow_outside": True})
        assert len(ingest(allowed, tmp_path / "raw")) == len(raw)


def test_builtin_names_need_no_file(tmp_path):
    assert len(ingest(DataSettings(source="penguins"), tmp_path)) == len(load_source("penguins"))


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


@pytest.mark.parametrize(
    ("header", "error"),
    [
        ("a,b,a,c,b", r"the header repeats 'a' \(2 times\), 'b' \(2 times\)"),
        ("a,b,,c", r"column 3 of the header has no name"),
        (",a,b", r"column 1 of the header has no name.*saved index"),
        ("a, ,b", r"column 2 of the header has no name"),
    ],
)
def test_a_header_pandas_would_rename_is_refused_by_name(tmp_path, header, error):
    path = tmp_path / "renamed.csv"
    width = header.count(",") + 1
    path.write_text(header + "\n" + ",".join(["1"] * width) + "\n")
    with pytest.raises(DataError, match=r"data\.source: '.*renamed\.csv': " + error):
        read_table(path)


def test_a_nul_byte_in_a_column_name_is_refused(tmp_path):
    path = tmp_path / "names.csv"
    path.write_bytes(b"a,b\x00c\n1,2\n")
    with pytest.raises(DataError, match=r"names\.csv'.*column 2 holds a NUL byte"):
        read_table(path)


def test_a_parquet_header_is_checked_too(tmp_path):
    path = tmp_path / "twice.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["x", "x"]), path)
    with pytest.raises(DataError, match=r"twice\.parquet': the header repeats 'x' \(2 times\)"):
        read_table(path)


def test_a_saved_index_is_no_column_in_parquet(raw, tmp_path):
    raw.set_index(pd.Index(range(5, 5 + len(raw)))).to_parquet(tmp_path / "indexed.parquet")
    assert list(read_table(tmp_path / "indexed.parquet").columns) == list(raw.columns)
