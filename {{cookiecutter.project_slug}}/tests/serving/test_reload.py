"""`POST /admin/reload`: off without a token, guarded by it, and no request dropped."""

import threading

from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.bundle import MODEL_FILE, read_manifest
from {{ cookiecutter.module_name }}.serving import create_app
from {{ cookiecutter.module_name }}.serving.app import ADMIN_TOKEN_ENV


def reload(client, token):
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return client.post("/admin/reload", headers=headers)


def test_reload_is_off_without_a_token(own_bundle, monkeypatch):
    monkeypatch.delenv(ADMIN_TOKEN_ENV, raising=False)
    with TestClient(create_app(own_bundle)) as client:
        assert reload(client, "anything").status_code == 404


def test_reload_needs_the_token(own_bundle, monkeypatch):
    monkeypatch.setenv(ADMIN_TOKEN_ENV, "s3cret")
    with TestClient(create_app(own_bundle)) as client:
        assert reload(client, None).status_code == 401
        assert reload(client, "wrong").status_code == 401


def test_reload_serves_a_new_export_and_keeps_the_old_on_a_bad_one(
    own_bundle, record, monkeypatch, rewrite_bundle
):
    monkeypatch.setenv(ADMIN_TOKEN_ENV, "s3cret")
    folder = own_bundle.paths.serving
    with TestClient(create_app(own_bundle)) as client:
        old = client.get("/ready").json()["model"]
        manifest = read_manifest(folder)
        rewrite_bundle(folder, manifest.model_copy(update={"version": "99"}))
        response = reload(client, "s3cret")
        assert response.status_code == 200, response.text
        assert response.json() == {"previous": old, "model": {**old, "version": "99"}}
        assert client.post("/predict", json=record).json()["model"]["version"] == "99"

        (folder / MODEL_FILE).write_bytes(b"not a graph")
        response = reload(client, "s3cret")
        assert response.status_code == 409
        assert MODEL_FILE in response.json()["detail"]
        assert client.post("/predict", json=record).status_code == 200
        assert client.get("/ready").json()["model"]["version"] == "99"


def test_reload_drops_no_request_in_flight(own_bundle, record, monkeypatch, rewrite_bundle):
    monkeypatch.setenv(ADMIN_TOKEN_ENV, "s3cret")
    folder = own_bundle.paths.serving
    manifest = read_manifest(folder)
    answers: list[tuple[int, str]] = []
    with TestClient(create_app(own_bundle)) as client:

        def predict_many() -> None:
            for _ in range(40):
                response = client.post("/predict", json=record)
                answers.append((response.status_code, response.json()["model"]["version"]))

        threads = [threading.Thread(target=predict_many) for _ in range(4)]
        for thread in threads:
            thread.start()
        for version in ("10", "11", "12"):
            rewrite_bundle(folder, manifest.model_copy(update={"version": version}))
            assert reload(client, "s3cret").status_code == 200
        for thread in threads:
            thread.join()
    assert len(answers) == 160
    assert {status for status, _ in answers} == {200}
    assert {version for _, version in answers} <= {manifest.version, "10", "11", "12"}
