"""ASGI middleware that holds for every route: body limits, HEAD, and browser headers."""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# What a browser may do with an answer that doesn't say otherwise: nothing. Pages that
# need more (the demo page, /docs) send their own policy.
NOSNIFF = (b"x-content-type-options", b"nosniff")
POLICY = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.S)  # <script type=...> holds data


def page_policy(page: str, own_files: bool = False) -> str:
    """Return a page's Content-Security-Policy: its inline scripts and styles, by hash.

    Nothing injected into the page could run; its script may call this server and nothing
    else; `own_files`: it may load scripts, styles and images from this server too.
    """
    allowed: dict[str, list[str]] = {"script": [], "style": []}
    for kind, text in INLINE.findall(page):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        allowed[kind].append(f"'sha256-{digest}'")
    own = "'self' " if own_files else ""
    return (
        f"default-src 'none'; script-src {own}{' '.join(allowed['script'])}; "
        f"style-src {own}{' '.join(allowed['style'])}; img-src {own}data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


class BodyGuard:
    """Refuse a compressed body (415) or one over `max_bytes` (413), as JSON either way.

    A body announced as too long is refused before it's read; one that grows past the limit
    while it arrives is refused when it does.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes
        self.too_large = f"the body is over {max_bytes} bytes (serving.max_body_bytes)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the headers, then count the body as the app reads it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = None
        for name, value in scope["headers"]:  # raw: this runs on every request
            if name == b"content-encoding" and value.strip().lower() != b"identity":
                encoding = value.decode("latin-1")
                detail = f"Content-Encoding {encoding} is not accepted: send the body as it is"
                await JSONResponse({"detail": detail}, 415)(scope, receive, send)
                return
            if name == b"content-length":
                length = value
        if length is not None:  # the server reads no more than announced
            if not length.isdigit() or int(length) <= self.max_bytes:
                await self.app(scope, receive, send)
                return
            await JSONResponse({"detail": self.too_large}, 413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:  # the app's handler answers it as JSON
                raise HTTPException(status_code=413, detail=self.too_large)
            return message

        await self.app(scope, counted, send)


class HeadAsGet:
    """Answer HEAD as GET: probes that use HEAD see the service. The server drops the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass a HEAD request on as a GET, in a copy of the scope."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        as_get = {**scope, "method": "GET"}
        try:
            await self.app(as_get, receive, send)
        finally:
            scope["route"] = as_get.get("route")  # the metrics' label


class SecurityHeaders:
    """Add `NOSNIFF` to each answer, and `POLICY` to each that sets no policy of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the start of its answer."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                own = any(name == POLICY[0] for name, _ in headers)
                message = {**message, "headers": [*headers, NOSNIFF, *([] if own else [POLICY])]}
            await send(message)

        await self.app(scope, receive, with_headers)
