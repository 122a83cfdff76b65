"""`POST /admin/reload`: load a new export without a restart, for whoever holds the token.

The route exists only when SERVING_ADMIN_TOKEN is set. The token is checked at start-up
(long, printable ASCII), compared in constant time as bytes, and wrong guesses are limited:
past `GUESSES` in `WINDOW_SECONDS` every attempt gets a 429 until the window has passed.
"""

from __future__ import annotations

import logging
import secrets
import string
import time
from collections import deque
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from ..bundle import BundleError
from .schemas import Reloaded
from .state import Served, open_served

ADMIN_TOKEN_ENV = "SERVING_ADMIN_TOKEN"  # POST /admin/reload exists only when this is set
MIN_TOKEN_LENGTH = 16
TOKEN_CHARACTERS = frozenset(string.ascii_letters + string.digits + string.punctuation)
GUESSES, WINDOW_SECONDS = 5, 60.0  # wrong tokens allowed per window, for all clients

log = logging.getLogger(__name__)
admin = APIRouter()


class AdminTokenError(ValueError):
    """Raised at start-up when SERVING_ADMIN_TOKEN can't guard anything."""


def admin_token(value: str | None) -> str | None:
    """Return the token to require (None: no admin route), or say why it can't be one."""
    if not value:
        return None
    if not set(value) <= TOKEN_CHARACTERS or len(value) < MIN_TOKEN_LENGTH:
        raise AdminTokenError(
            f"{ADMIN_TOKEN_ENV}: use at least {MIN_TOKEN_LENGTH} printable ASCII characters "
            "without spaces, e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return value


class Guesses:
    """Wrong tokens of the last `window` seconds, at most `allowed` of them."""

    def __init__(self, allowed: int = GUESSES, window: float = WINDOW_SECONDS) -> None:
        self.allowed, self.window = allowed, window
        self.times: deque[float] = deque()

    def blocked_for(self) -> float:
        """Seconds until another guess may be tried; 0 when one may be now."""
        now = time.monotonic()
        while self.times and now - self.times[0] > self.window:
            self.times.popleft()
        return self.window - (now - self.times[0]) if len(self.times) >= self.allowed else 0.0

    def wrong(self) -> None:
        """Note a wrong token."""
        self.times.append(time.monotonic())


@admin.post(
    "/admin/reload",
    responses={
        401: {"description": "Wrong or no token"},
        409: {"description": "The new export can't serve; the old one still does"},
        429: {"description": "Too many wrong tokens: wait `Retry-After` seconds"},
    },
)
async def reload(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Reloaded:
    """Load the bundle again (after `make train`) and serve it from the next request."""
    state = request.app.state
    guesses: Guesses = state.guesses
    wait = guesses.blocked_for()
    if wait > 0:
        headers = {"Retry-After": str(int(wait) + 1)}
        raise HTTPException(status_code=429, detail="too many wrong tokens", headers=headers)
    # Bytes: compare_digest refuses str with non-ASCII characters, which a header may carry.
    given = (authorization or "").encode("latin-1")
    if not secrets.compare_digest(given, f"Bearer {state.admin_token}".encode()):
        guesses.wrong()
        log.warning("POST /admin/reload refused: wrong or no token")
        raise HTTPException(status_code=401, detail="Authorization: Bearer <token> needed")
    previous: Served | None = state.served
    try:
        served = await run_in_threadpool(open_served, state.settings)
    except BundleError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    if served.manifest.feature_schema != state.schema:
        raise HTTPException(
            status_code=409,
            detail="the new bundle expects other features: restart the server instead",
        )
    state.served = served
    state.telemetry.set_model(served.manifest)
    return Reloaded(previous=None if previous is None else previous.ref, model=served.ref)
