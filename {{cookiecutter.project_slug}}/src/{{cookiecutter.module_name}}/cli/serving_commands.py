"""Serving commands: run the server on the exported bundle; send it a record."""

from __future__ import annotations

import json
import logging
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Annotated

import typer

from .common import DEFAULT_PARAMS, Params, clean_errors, console, results, settings_from


def serve(
    params: Params = DEFAULT_PARAMS,
    host: Annotated[str, typer.Option(envvar="HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT")] = 8000,
    bundle: Annotated[
        Path | None, typer.Option(help="An exported bundle; default: paths.serving.")
    ] = None,
) -> None:
    """Serve the exported champion over HTTP."""
    import uvicorn

    from ..bundle import BundleError
    from ..serving.admin_route import AdminTokenError
    from ..serving.app import ACCESS_LOG, create_app
    from ..serving.http_limits import limited_http

    settings = settings_from(params)
    if bundle is not None:
        settings = settings.model_copy(
            update={"paths": settings.paths.model_copy(update={"serving": bundle})}
        )
    # An altered bundle stops here with one line; without any bundle the server starts
    # anyway and /ready says what to run.
    with clean_errors(BundleError, AdminTokenError):
        app = create_app(settings)
    # One JSON line per request on stderr, without the cost of the pretty console handler;
    # the app writes it, so uvicorn's own access log stays off.
    access = logging.getLogger(ACCESS_LOG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False
    limits = settings.serving
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=False,
        http=limited_http(limits),
        timeout_keep_alive=limits.keep_alive,
    )


def predict(
    params: Params = DEFAULT_PARAMS,
    url: Annotated[str, typer.Option(help="The running server.")] = "http://127.0.0.1:8000",
    record: Annotated[
        Path | None, typer.Option(help="A JSON file with one record; default: a test row.")
    ] = None,
) -> None:
    """Send one record to a running server and print its answer."""
    if record is not None:
        body = record.read_bytes()
    else:
        from ..data import DataError
        from ..data.splits import load_splits
        from ..features import api_records

        settings = settings_from(params)
        with clean_errors(DataError):
            splits, schema = load_splits(settings.paths.processed)
        [row] = api_records(schema, splits["test"].head(1))
        body = json.dumps(row).encode()
    request = urllib.request.Request(
        f"{url.rstrip('/')}/predict", data=body, headers={"Content-Type": "application/json"}
    )
    console.print(f"POST {request.full_url} {body.decode()}", highlight=False)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            results.print_json(data=json.load(response))
    except urllib.error.HTTPError as exc:
        console.print(f"[bold red]error:[/] HTTP {exc.code}: {exc.read().decode()}")
        raise typer.Exit(1) from None
    except urllib.error.URLError as exc:
        console.print(
            f"[bold red]error:[/] cannot reach {url}: {exc.reason}; is `make serve` running?"
        )
        raise typer.Exit(1) from None
