"""`POST /admin/reload`: off without a token, guarded by it, and no request dropped."""

import threading

import onnx
import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.bundle import MODEL_FILE, read_manifest, write_bundle
from {{ cookiecutter.module_name }}.files import sha256
from {{ cookiecutter.module_name }}.serving import create_app
from {{ cookiecutter.module_name }}.serving.admin_route import ADMIN_TOKEN_ENV, GUESSES, AdminTokenError

TOKEN = "s3cret-enough-for-a-test"


def reload(client, token):
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return client.post("/admin/reload", headers=headers)


def test_reload_is_off_without_a_token(own_bundle, monkeypatch):
    monkeypatch.delenv(ADMIN_TOKEN_ENV, raising=False)
    with TestClient(create_app(own_bundle)) as client:
        assert reload(client, "anything").status_code == 404


def test_reload_needs_the_token(own_bundle, monkeypatch):
    monkeypatch.setenv(ADMIN_TOKEN_ENV, TOKEN)
    with TestClient(create_app(own_bundle)) as client:
        assert reload(client, None).status_code == 401
        assert reload(client, "wrong").status_code == 401


def test_reload_serves_a_new_export_and_keeps_the_old_on_a_bad_one(
    own_bundle, record, monkeypatch, rewrite_bundle
):
    monkeypatch.setenv(ADMIN_TOKEN_ENV, TOKEN)
    folder = own_bundle.paths.serving
    with TestClient(create_app(own_bundle)) as client:
        old = client.get("/ready").json()["model"]
        manifest = read_manifest(folder)
        rewrite_bundle(folder, manifest.model_copy(update={"version": "99"}))
        response = reload(client, TOKEN)
        assert response.status_code == 200, response.text
        assert response.json() == {"previous": old, "model": {**old, "version": "99"}}
        assert client.post("/predict", json=record).json()["model"]["version"] == "99"

        (folder / MODEL_FILE).write_bytes(b"not a graph")
        response = reload(client, TOKEN)
        assert response.status_code == 409
        assert MODEL_FILE in response.json()["detail"]
        assert client.post("/predict", json=record).status_code == 200
        assert client.get("/ready").json()["model"]["version"] == "99"


def test_reload_drops_no_request_in_flight(own_bundle, record, monkeypatch, rewrite_bundle):
    monkeypatch.setenv(ADMIN_TOKEN_ENV, TOKEN)
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
            assert reload(client, TOKEN).status_code == 200
        for thread in threads:
            thread.join()
    assert len(answers) == 160
    assert {status for status, _ in answers} == {200}
    assert {version for _, version in answers} <= {manifest.version, "10", "11", "12"}


@pytest.mark.parametrize("token", ["short", "x" * 15, "café-au-lait-token", "with spaces in it!!"])
def test_a_token_that_cant_guard_stops_the_start(own_bundle, monkeypatch, token):
    monkeypatch.setenv(ADMIN_TOKEN_ENV, token)
    with pytest.raises(AdminTokenError, match=ADMIN_TOKEN_ENV):
        create_app(own_bundle)


def test_a_token_with_any_bytes_is_a_401_and_guesses_are_limited(own_bundle, monkeypatch):
    monkeypatch.setenv(ADMIN_TOKEN_ENV, TOKEN)
    with TestClient(create_app(own_bundle)) as client:
        odd = [(b"Authorization", "Bearer caf\xe9".encode("latin-1"))]
        assert client.post("/admin/reload", headers=odd).status_code == 401
        for _ in range(GUESSES - 1):
            assert reload(client, "wrong").status_code == 401
        limited = reload(client, TOKEN)  # even the right one, until the window has passed
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) > 0


def test_a_graph_that_loads_but_cant_answer_is_refused(own_bundle, record, monkeypatch):
    monkeypatch.setenv(ADMIN_TOKEN_ENV, TOKEN)
    folder = own_bundle.paths.serving
    manifest = read_manifest(folder)
    with TestClient(create_app(own_bundle)) as client:
        graph = onnx.load_from_string((folder / MODEL_FILE).read_bytes())
        output = manifest.feature_schema.spec.output
        for node in graph.graph.node:
            node.output[:] = ["renamed" if name == output else name for name in node.output]
        for found in graph.graph.output:
            found.name = "renamed" if found.name == output else found.name
        model = graph.SerializeToString()
        files = {name: (folder / name).read_bytes() for name in manifest.files}
        write_bundle(folder, model, manifest.model_copy(update={"sha256": sha256(model)}), files)
        response = reload(client, TOKEN)
        assert response.status_code == 409
        assert output in response.json()["detail"]
        assert client.post("/predict", json=record).status_code == 200
