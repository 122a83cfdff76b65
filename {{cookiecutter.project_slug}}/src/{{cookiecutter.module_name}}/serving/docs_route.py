"""`GET /docs`: Swagger UI from files installed with the package, not from a CDN.

FastAPI's own page loads Swagger UI from jsDelivr and writes the app's title into it
unescaped; this one serves the copy fastapi-offline ships, under a policy that lets the
page run its own script and nothing else.
"""

from __future__ import annotations

import html
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from .request_guards import page_policy

FILES = Path(fastapi_offline.__file__).parent / "static"
FILES_URL = "/docs-files"


def add_docs(app: FastAPI) -> None:
    """Serve Swagger UI at /docs for `app`'s OpenAPI document."""
    response = get_swagger_ui_html(
        openapi_url=str(app.openapi_url),
        title=f"{html.escape(app.title)} - Swagger UI",
        swagger_js_url=f"{FILES_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{FILES_URL}/swagger-ui.css",
        swagger_favicon_url=f"{FILES_URL}/favicon.png",
    )
    page = bytes(response.body).decode()
    policy = page_policy(page, own_files=True)
    app.mount(FILES_URL, StaticFiles(directory=FILES), name="docs-files")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": policy})
