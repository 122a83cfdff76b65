"""Where the table comes from: files, URLs, built-in names; errors name the file."""

import functools
import http.server
import threading

import pytest

from {{ cookiecutter.module_name }}.data import DataError
from {{ cookiecutter.module_name }}.data.sources import load_source


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
