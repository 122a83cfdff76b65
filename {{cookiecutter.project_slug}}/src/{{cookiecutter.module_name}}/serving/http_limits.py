"""uvicorn's HTTP protocol with the limits it lacks against slow and oversized requests.

uvicorn bounds neither the size of a request's headers nor the time a client may take to
send them or its body, and keeps every connection it accepts: one client holding a few
hundred half-sent requests open stalls or starves the server. `limited_http` returns its
httptools protocol with those limits (`serving.*` in params.yaml); a reverse proxy in
front adds per-client limits, TLS and buffering on top.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any, ClassVar

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..serving_sections import ServingSettings

# After a refusal, what the client still sends is read and dropped this long: closing with
# unread bytes would reset the connection, and the client would lose the answer.
LINGER_SECONDS = 1.0


class LimitedHttp(HttpToolsProtocol):
    """One connection: a request's head is bounded in bytes and time, its body in time."""

    limits: ClassVar[ServingSettings]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0  # received of a request's head (line and headers) so far
        self._tail = b""  # the last bytes of a head not complete yet: its end may straddle
        self._in_head = False
        self._in_body = False
        self._started = False  # a request has begun and hasn't been answered
        self._refused = False
        # One timer per connection, moved lazily: a deadline per request is a float, not a
        # timer set and cancelled twice (which cost 8% of /predict's requests/s).
        self._deadline_at: float | None = None
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Accept the connection, or answer 503 and close it when too many are open."""
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self._refuse(HTTPStatus.SERVICE_UNAVAILABLE, "too many connections: retry shortly")
            return
        # A connection that never sends a request is closed as one that sends it slowly.
        self._deadline(self.limits.header_timeout)

    def data_received(self, data: bytes) -> None:
        """Parse what arrived, unless it makes a request's head longer than the limit."""
        if self._refused or self.transport.is_closing():
            return
        if not self._in_body:
            room = self.limits.max_header_bytes - self._head_bytes
            # A head ends with a blank line: one that isn't within the room left is too long.
            if len(data) > room and (self._tail + data[: room + 4]).find(b"\r\n\r\n") < 0:
                limit = self.limits.max_header_bytes
                why = f"request headers over serving.max_header_bytes ({limit})"
                self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, why)
                return
        super().data_received(data)
        if self._in_head:  # sent a little at a time: count it all
            self._head_bytes += len(data)
            self._tail = data[-3:]

    def on_message_begin(self) -> None:
        """Start a request: its head has `header_timeout` seconds to arrive."""
        super().on_message_begin()
        self._in_head = self._started = True
        self._head_bytes, self._tail = 0, b""
        if self._deadline_at is None:  # else the connection's first: counted from its opening
            self._deadline(self.limits.header_timeout)

    def on_headers_complete(self) -> None:
        """End the head: the body has `body_timeout` seconds to arrive."""
        self._in_head, self._in_body = False, True
        self._deadline(self.limits.body_timeout)
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        """Pass the body on, unless the request was refused."""
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        """End the request: no deadline while the app answers it."""
        if not self._refused:
            self._in_body, self._deadline_at = False, None
            super().on_message_complete()

    def on_response_complete(self) -> None:
        """End the answer: the connection waits for the next request (keep-alive)."""
        self._started = False
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the timer with the connection."""
        if self._timer is not None:
            self._timer.cancel()
        super().connection_lost(exc)

    def _deadline(self, seconds: float) -> None:
        self._deadline_at = self.loop.time() + seconds
        if self._timer is None:
            self._timer = self.loop.call_at(self._deadline_at, self._check_deadline)

    def _check_deadline(self) -> None:
        self._timer = None
        if self._deadline_at is None:  # nothing awaited: the next request sets a deadline
            return
        if self.loop.time() < self._deadline_at:  # moved since the timer was set
            self._timer = self.loop.call_at(self._deadline_at, self._check_deadline)
        elif self._started:
            self._refuse(HTTPStatus.REQUEST_TIMEOUT, "the request took too long to arrive")
        else:  # a client that said nothing gets no answer, as on an idle keep-alive
            self.transport.close()

    def _refuse(self, status: HTTPStatus, detail: str) -> None:
        """Answer with a JSON error, as the app does, and close: the request can't go on."""
        self._deadline_at = None
        if self._refused or self.transport.is_closing():
            return
        self._refused = True
        if self.cycle is not None and not self.cycle.response_complete:
            # The app may be waiting for the rest of the body: it reads a disconnect instead.
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        body = orjson.dumps({"detail": detail})
        head = (
            f"HTTP/1.1 {status.value} {status.phrase}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        )
        self.transport.write(head.encode() + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def limited_http(limits: ServingSettings) -> type[LimitedHttp]:
    """Return the protocol class for uvicorn's `http` option, holding `limits`."""
    return type("LimitedHttp", (LimitedHttp,), {"limits": limits})
