"""The connection limits, on a real server on loopback, with raw sockets: what clients send."""

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn

from {{ cookiecutter.module_name }}.serving import create_app
from {{ cookiecutter.module_name }}.serving.http_limits import limited_http

MAX_CONNECTIONS = 4
# Short enough to wait for, long enough that a loaded machine doesn't hit it by accident.
TIMEOUT = 1.0


@contextmanager
def serving(trained: Any, **limits: Any) -> Iterator[int]:
    """Serve the trained bundle with `limits` on a free loopback port; yield the port."""
    config = uvicorn.Config(
        create_app(trained.settings),
        host="127.0.0.1",
        port=0,
        http=limited_http(trained.settings.serving.model_copy(update=limits)),
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def port(trained) -> Iterator[int]:
    limits = {"max_header_bytes": 2048, "header_timeout": TIMEOUT, "body_timeout": TIMEOUT}
    with serving(trained, **limits) as port:
        yield port


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    return sock


def answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read until the server closes; return the status, headers and body."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines)
    return int(status_line.split()[1]), headers, body


def get_health(port: int, extra: str = "") -> tuple[int, dict[str, str], bytes]:
    with connect(port) as sock:
        request = f"GET /health HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n"
        sock.sendall(request.encode())
        return answer(sock)


def test_a_request_within_the_limits_is_answered(port):
    status, _, body = get_health(port, extra=f"X-Note: {'a' * 1500}\r\n")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}


def test_headers_over_the_limit_get_431_and_the_connection_closes(port):
    status, headers, body = get_health(port, extra=f"X-Note: {'a' * 100_000}\r\n")
    assert status == 431
    assert headers["content-type"] == "application/json"
    assert "serving.max_header_bytes" in json.loads(body)["detail"]


def test_headers_sent_a_little_at_a_time_are_counted_too(port):
    with connect(port) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Note: ")
        for _ in range(4):  # well within the header timeout, each part in a read of its own
            sock.sendall(b"a" * 1024)
            time.sleep(0.02)
        assert answer(sock)[0] == 431


def test_headers_sent_too_slowly_get_408(port):
    with connect(port) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        began = time.monotonic()
        status, _, _ = answer(sock)
    assert status == 408
    assert time.monotonic() - began < TIMEOUT + 3


def test_a_body_that_stalls_gets_408(port):
    with connect(port) as sock:
        head = "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        sock.sendall(head.encode() + b"Content-Length: 1000\r\n\r\n[")  # then nothing
        status, _, _ = answer(sock)
    assert status == 408


def test_a_connection_that_sends_nothing_is_closed(port):
    with connect(port) as sock:
        assert sock.recv(1024) == b""


def test_connections_over_the_limit_get_503_while_slow_ones_are_held(trained):
    # A server of its own, whose held connections can't time out during the test.
    with serving(trained, max_connections=MAX_CONNECTIONS, header_timeout=60.0) as port:
        held = [connect(port) for _ in range(MAX_CONNECTIONS)]
        try:
            for sock in held:
                sock.sendall(b"GET /health HTTP/1.1\r\n")
            status, _, body = get_health(port)
            assert status == 503
            assert "too many connections" in json.loads(body)["detail"]
        finally:
            for sock in held:
                sock.close()
        time.sleep(0.2)  # the server notices the closed sockets
        assert get_health(port)[0] == 200
