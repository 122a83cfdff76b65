"""An http(s) `data.source`, fetched into `paths.raw` within the limits of `data.download`.

The table lands in the folder that DVC watches, so that what the data step read is recorded
with its outputs; whole or not at all, so that a failed download leaves nothing to read.
Only the standard library: the serving image installs no HTTP client of its own.
"""

from __future__ import annotations

import http.client
import os
import re
import tempfile
import time
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urljoin, urlsplit

from ..section_types import DownloadLimits
from . import DataError

CHUNK = 1 << 16
MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
MB = 1_000_000


def file_name(url: str) -> str:
    """Return the URL's last path segment, reduced to characters that are safe in any folder."""
    # Decoded before it is split: an encoded separator (%2f) must not smuggle in a folder.
    last = unquote(urlsplit(url).path).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    # No leading dots either: the name can neither climb out of the folder nor hide in it.
    name = re.sub(r"[^\w.-]", "_", last).lstrip(".")
    if not name:
        raise DataError(f"data.source: {url!r} names no file (its path ends without a name)")
    return name


def download(url: str, folder: Path, limits: DownloadLimits) -> Path:
    """Fetch `url` into `folder` under its own file name; return the file.

    Fails naming the URL and the `data.download` key that stopped it; the file is replaced
    only once the whole body has arrived.
    """
    target = folder / file_name(url)
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + limits.total_timeout
    connection, response = _open(url, limits)
    try:
        # A temporary file beside the target: the rename that replaces it is atomic.
        fd, part = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                _copy(response, out, url, limits, deadline)
            os.chmod(part, 0o644)  # mkstemp makes it private; the other tables are not
            os.replace(part, target)
        except BaseException:
            Path(part).unlink(missing_ok=True)
            raise
    finally:
        connection.close()
    return target


def _open(
    url: str, limits: DownloadLimits
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    """Connect and send the request, following redirects; return the 200 response."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise DataError(f"data.source: {url!r} is not an http(s) URL")
        secure = parts.scheme == "https"
        kind = http.client.HTTPSConnection if secure else http.client.HTTPConnection
        connection = kind(parts.hostname, parts.port, timeout=limits.connect_timeout)
        try:
            response = _request(connection, parts.path or "/", parts.query, url, limits)
        except BaseException:
            connection.close()
            raise
        location = response.getheader("Location")
        if response.status in REDIRECTS and location:
            connection.close()
            url = urljoin(url, location)
            continue
        if response.status != http.client.OK:
            connection.close()
            raise DataError(
                f"data.source: {url!r} answered {response.status} {response.reason}, not a table"
            )
        _check_length(response, url, limits)
        return connection, response
    raise DataError(f"data.source: {url!r} redirects more than {MAX_REDIRECTS} times")


def _request(
    connection: http.client.HTTPConnection,
    path: str,
    query: str,
    url: str,
    limits: DownloadLimits,
) -> http.client.HTTPResponse:
    try:
        connection.connect()
    except TimeoutError:
        raise DataError(
            f"data.source: no connection to {url!r} within {limits.connect_timeout:g} s "
            "(data.download.connect_timeout)"
        ) from None
    except OSError as exc:
        raise DataError(f"data.source: cannot connect to {url!r}: {exc}") from None
    assert connection.sock is not None  # connect() succeeded
    connection.sock.settimeout(limits.read_timeout)  # from now on, the wait for each read
    try:
        # identity: the size cap counts the bytes that are written, not a compressed stream.
        headers = {"Accept-Encoding": "identity", "User-Agent": "data-step"}
        connection.request("GET", f"{path}?{query}" if query else path, headers=headers)
        return connection.getresponse()
    except TimeoutError:
        raise _silent(url, limits) from None
    except (OSError, http.client.HTTPException) as exc:
        raise DataError(f"data.source: cannot fetch {url!r}: {exc}") from None


def _check_length(response: http.client.HTTPResponse, url: str, limits: DownloadLimits) -> None:
    """Refuse a body that announces itself as too big before reading any of it."""
    length = response.getheader("Content-Length", "")
    if length.isdigit() and int(length) > limits.max_mb * MB:
        raise _too_big(url, limits, f"it announces {int(length) / MB:,.1f} MB")


def _copy(
    response: http.client.HTTPResponse,
    out: BinaryIO,
    url: str,
    limits: DownloadLimits,
    deadline: float,
) -> None:
    """Stream the body to `out`, counting bytes as they come: the cap holds for any server."""
    size = 0
    try:
        # read1: whatever one read brings, so that a trickle still meets the deadline.
        while chunk := response.read1(CHUNK):
            size += len(chunk)
            if size > limits.max_mb * MB:
                raise _too_big(url, limits, "it sent more")
            if time.monotonic() > deadline:
                raise DataError(
                    f"data.source: {url!r} took longer than {limits.total_timeout:g} s "
                    f"(data.download.total_timeout); {size / MB:,.1f} MB had arrived"
                )
            out.write(chunk)
    except TimeoutError:
        raise _silent(url, limits) from None
    except (OSError, http.client.HTTPException) as exc:
        raise DataError(f"data.source: the download of {url!r} broke off: {exc}") from None


def _silent(url: str, limits: DownloadLimits) -> DataError:
    return DataError(
        f"data.source: {url!r} sent nothing for {limits.read_timeout:g} s "
        "(data.download.read_timeout)"
    )


def _too_big(url: str, limits: DownloadLimits, why: str) -> DataError:
    return DataError(
        f"data.source: {url!r} is larger than {limits.max_mb:g} MB (data.download.max_mb): "
        f"{why}; raise the limit if the table is meant to be that big"
    )
