"""A server on the trained project's bundle, test rows to send it, and its page's data."""

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.serving import create_app

PAGE_DATA = re.compile(r'<script id="page-data" type="application/json">(.*?)</script>', re.S)


def _page_data(page: str) -> dict[str, Any]:
    [found] = PAGE_DATA.findall(page)
    data: dict[str, Any] = json.loads(found)
    return data


@pytest.fixture(scope="session")
def page_data() -> Callable[[str], dict[str, Any]]:
    """Return a function that reads the JSON a demo page hands its script."""
    return _page_data


@pytest.fixture(scope="module")
def client(trained):
    with TestClient(create_app(trained.settings)) as client:
        yield client


@pytest.fixture(scope="module")
def test_rows(trained):
    splits, schema = load_splits(trained.settings.paths.processed)
    rows = splits["test"][schema.names].astype(object)
    records = rows.where(rows.notna(), None).to_dict(orient="records")
    return records, splits["test"][schema.target].tolist(), schema


@pytest.fixture
def record(test_rows):
    records, _, _ = test_rows
    # A complete row, so that each test can break one field of it.
    return next(dict(r) for r in records if all(v is not None for v in r.values()))
