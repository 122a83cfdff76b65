"""What holds for every route: body limits as JSON, HEAD, and the headers browsers obey."""

import asyncio
import base64
import hashlib
import json
import re

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.serving import batch_route, create_app


@pytest.fixture(scope="module")
def small(trained):
    serving = trained.settings.serving.model_copy(update={"max_body_bytes": 100})
    settings = trained.settings.model_copy(update={"serving": serving})
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_body_over_the_limit_is_a_json_413_however_it_arrives(small, record):
    body = json.dumps({"records": [record] * 5}).encode()
    declared = small.post(
        "/predict/batch", content=body, headers={"Content-Type": "application/json"}
    )
    chunked = small.post(
        "/predict/batch",
        content=iter([body[:60], body[60:]]),  # no Content-Length: counted as it arrives
        headers={"Content-Type": "application/json"},
    )
    for response in (declared, chunked):
        assert response.status_code == 413
        assert "serving.max_body_bytes" in response.json()["detail"]


def test_a_batch_as_long_as_max_batch_fits_the_body_limit(client, trained, test_rows):
    records, _, _ = test_rows
    assert trained.settings.serving.max_body_bytes is None  # derived from max_batch
    longest = trained.settings.serving.max_batch
    batch = [records[i % len(records)] for i in range(longest)]
    response = client.post("/predict/batch", json={"records": batch})
    assert response.status_code == 200, response.text[:200]
    assert len(response.json()["predictions"]) == longest


def test_a_batch_is_read_and_checked_off_the_event_loop(client, record, monkeypatch):
    on_loop = []

    def decode(body: bytes) -> object:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:  # a worker thread: the loop serves other requests meanwhile
            on_loop.append(False)
        return json.loads(body)

    monkeypatch.setattr(batch_route, "decode", decode)
    assert client.post("/predict/batch", json={"records": [record] * 3}).status_code == 200
    assert on_loop == [False]


def test_a_compressed_body_is_415_naming_the_encoding(client, record):
    response = client.post(
        "/predict",
        content=json.dumps(record).encode(),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 415
    assert "gzip" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/", "/health", "/ready", "/model", "/metrics", "/docs"])
def test_head_answers_wherever_get_does(client, path):
    assert client.head(path).status_code == client.get(path).status_code == 200


def test_head_is_counted_under_its_route(client):
    client.head("/ready")
    metrics = client.get("/metrics").text
    assert 'http_requests_total{method="HEAD",route="/ready",status="200"}' in metrics


def test_answers_tell_browsers_to_sniff_nothing_and_frame_nothing(client):
    headers = client.get("/health").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_the_page_may_run_its_own_script_and_nothing_else(client):
    response = client.get("/")
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    [script] = re.findall(r"<script>(.*?)</script>", response.text, re.S)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}';" in policy


def test_docs_come_from_this_server_with_the_title_escaped(trained):
    mlflow = trained.settings.mlflow.model_copy(update={"registered_model": "<b>x</b>"})
    with TestClient(create_app(trained.settings.model_copy(update={"mlflow": mlflow}))) as client:
        page = client.get("/docs").text
        assert "&lt;b&gt;x&lt;/b&gt;" in page
        assert "<b>x</b>" not in page
        assert "cdn" not in page
        [script] = re.findall(r'<script src="([^"]+)"', page)
        assert client.get(script).status_code == 200
