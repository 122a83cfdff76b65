import threading

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.serving import BundleError, create_app
from {{ cookiecutter.module_name }}.serving.bundle import (
    MANIFEST_FILE,
    MODEL_FILE,
    NoBundleError,
    load_bundle,
    read_manifest,
    write_bundle,
)
from {{ cookiecutter.module_name }}.serving.routes import ADMIN_TOKEN_ENV


def test_altered_graph_is_refused_naming_the_file(own_bundle):
    model = own_bundle.paths.serving / MODEL_FILE
    model.write_bytes(model.read_bytes() + b"\0")
    with pytest.raises(BundleError, match=f"{MODEL_FILE}.*SHA-256.*make train"):
        load_bundle(own_bundle.paths.serving)
    with pytest.raises(BundleError, match=MODEL_FILE), TestClient(create_app(own_bundle)):
        pass


def test_missing_bundle_is_not_an_error_but_says_what_to_run(tmp_path):
    with pytest.raises(NoBundleError, match="make train"):
        load_bundle(tmp_path)


def test_broken_manifest_is_named(own_bundle):
    (own_bundle.paths.serving / MANIFEST_FILE).write_text('{"name": "x"}')
    with pytest.raises(BundleError, match=MANIFEST_FILE):
        load_bundle(own_bundle.paths.serving)


def test_write_bundle_replaces_the_whole_folder(own_bundle):
    folder = own_bundle.paths.serving
    manifest = read_manifest(folder)
    (folder / "stale.txt").write_text("from an older export")
    graph = (folder / MODEL_FILE).read_bytes()
    write_bundle(folder, graph, manifest)
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST_FILE, MODEL_FILE]
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]
    assert load_bundle(folder)[0] == manifest


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


def test_reload_serves_a_new_export_and_keeps_the_old_on_a_bad_one(own_bundle, record, monkeypatch):
    monkeypatch.setenv(ADMIN_TOKEN_ENV, "s3cret")
    folder = own_bundle.paths.serving
    with TestClient(create_app(own_bundle)) as client:
        old = client.get("/ready").json()["model"]
        manifest = read_manifest(folder)
        write_bundle(
            folder,
            (folder / MODEL_FILE).read_bytes(),
            manifest.model_copy(update={"version": "99"}),
        )
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


def test_reload_drops_no_request_in_flight(own_bundle, record, monkeypatch):
    monkeypatch.setenv(ADMIN_TOKEN_ENV, "s3cret")
    folder = own_bundle.paths.serving
    manifest = read_manifest(folder)
    graph = (folder / MODEL_FILE).read_bytes()
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
            write_bundle(folder, graph, manifest.model_copy(update={"version": version}))
            assert reload(client, "s3cret").status_code == 200
        for thread in threads:
            thread.join()
    assert len(answers) == 160
    assert {status for status, _ in answers} == {200}
    assert {version for _, version in answers} <= {manifest.version, "10", "11", "12"}
