"""An http(s) source against servers that hang, trickle or never stop: bounded, and atomic."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from {{ cookiecutter.module_name }}.data import DataError
from {{ cookiecutter.module_name }}.data.download import MB, download, file_name
from {{ cookiecutter.module_name }}.section_types import DownloadLimits

TABLE = b"x,y\n1,a\n2,b\n"
FAST = DownloadLimits(connect_timeout=2, read_timeout=2, total_timeout=20, max_mb=1)


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves TABLE at /table.csv, and a misbehaving answer at each other path."""

    sent = 0  # bytes of the endless stream written, across requests

    def log_message(self, format: str, *args: object) -> None:
        pass  # the tests read their own assertions, not an access log

    def _start(self, length: int | None = None) -> None:
        self.send_response(200)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("Connection", "close")
        self.end_headers()

    def do_GET(self) -> None:
        with contextlib.suppress(OSError):  # the client hangs up on the bad ones
            getattr(self, "serve_" + self.path.strip("/").replace(".", "_"), self.serve_table)()

    def serve_table(self) -> None:
        if self.path != "/table.csv":
            self.send_error(404)
            return
        self._start(len(TABLE))
        self.wfile.write(TABLE)

    def serve_old_csv(self) -> None:  # moved
        self.send_response(302)
        self.send_header("Location", "/table.csv")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def serve_endless_csv(self) -> None:  # no length, and more than any cap in these tests
        self._start()
        chunk = b"1,a\n" * 16_384
        while Handler.sent < 200 * MB:
            self.wfile.write(chunk)
            Handler.sent += len(chunk)

    def serve_huge_csv(self) -> None:  # says how big first
        self._start(10**12)

    def serve_trickle_csv(self) -> None:  # a byte at a time, never long silent
        self._start()
        for _ in range(200):
            self.wfile.write(b"1")
            self.wfile.flush()
            time.sleep(0.05)


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "table.csv")


def test_a_table_is_fetched_whole_into_the_folder(server, tmp_path):
    path = download(f"{server}/table.csv", tmp_path / "downloads", FAST)
    assert path == tmp_path / "downloads" / "table.csv"
    assert path.read_bytes() == TABLE
    assert path.stat().st_mode & 0o777 == 0o644  # readable like any other table
    assert leftovers(path.parent) == []


def test_redirects_are_followed_and_the_name_is_the_urls(server, tmp_path):
    assert download(f"{server}/old.csv", tmp_path, FAST).read_bytes() == TABLE
    assert (tmp_path / "old.csv").is_file()


def test_a_server_that_never_answers_times_out(tmp_path):
    # Listening, never accepting: the connection opens, and not a byte comes back.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        limits = FAST.model_copy(update={"read_timeout": 0.5})
        # In a thread: without a read timeout the test fails after 10 s instead of hanging.
        pool = ThreadPoolExecutor(1)
        fetching = pool.submit(download, f"http://127.0.0.1:{port}/table.csv", tmp_path, limits)
        pool.shutdown(wait=False)
        with pytest.raises(DataError, match=r"sent nothing for 0\.5 s \(data\.download\.read_"):
            fetching.result(timeout=10)
    assert list(tmp_path.iterdir()) == []


def test_a_stream_past_the_cap_stops_there_and_leaves_the_old_file(server, tmp_path):
    (tmp_path / "endless.csv").write_bytes(TABLE)  # from an earlier run
    Handler.sent = 0
    with pytest.raises(DataError, match=r"endless\.csv.*larger than 1 MB \(data\.download\.max_mb"):
        download(f"{server}/endless.csv", tmp_path, FAST)
    assert Handler.sent < 50 * MB  # cut off while streaming, not read to the end first
    assert (tmp_path / "endless.csv").read_bytes() == TABLE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["endless.csv"]  # no part file


def test_a_body_announced_too_big_is_refused_before_reading(server, tmp_path):
    announced = r"1 MB \(data\.download\.max_mb\): it announces 1,000,000\.0 MB"
    with pytest.raises(DataError, match=announced):
        download(f"{server}/huge.csv", tmp_path, FAST)
    assert list(tmp_path.iterdir()) == []


def test_a_trickle_meets_the_total_timeout(server, tmp_path):
    limits = FAST.model_copy(update={"total_timeout": 0.3})
    with pytest.raises(DataError, match=r"longer than 0\.3 s \(data\.download\.total_timeout"):
        download(f"{server}/trickle.csv", tmp_path, limits)
    assert list(tmp_path.iterdir()) == []


def test_an_error_status_is_named(server, tmp_path):
    with pytest.raises(DataError, match=r"nothing\.csv' answered 404"):
        download(f"{server}/nothing.csv", tmp_path, FAST)


def test_a_refused_connection_is_named(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    with pytest.raises(DataError, match=r"cannot connect to 'http://127\.0\.0\.1:\d+/t\.csv'"):
        download(f"http://127.0.0.1:{port}/t.csv", tmp_path, FAST)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://example.org/data/table.csv?version=2", "table.csv"),
        ("https://example.org/%2e%2e%2f%2e%2e%2fetc%2fpasswd.csv", "passwd.csv"),
        ("https://example.org/my%20table.csv.gz", "my_table.csv.gz"),
    ],
)
def test_the_file_name_stays_in_the_folder(url, name):
    assert file_name(url) == name


def test_a_url_without_a_file_name_is_refused():
    with pytest.raises(DataError, match="names no file"):
        file_name("https://example.org/")
