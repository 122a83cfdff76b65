"""The serving bundle: checked against its checksum, replaced whole."""

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.bundle import (
    MANIFEST_FILE,
    MODEL_FILE,
    BundleError,
    NoBundleError,
    load_bundle,
    read_manifest,
)
from {{ cookiecutter.module_name }}.serving import create_app


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


def test_write_bundle_replaces_the_whole_folder(own_bundle, rewrite_bundle):
    folder = own_bundle.paths.serving
    manifest = read_manifest(folder)
    (folder / "stale.txt").write_text("from an older export")
    rewrite_bundle(folder, manifest)
    shipped = [MANIFEST_FILE, MODEL_FILE, *manifest.files]
    assert sorted(p.name for p in folder.iterdir()) == sorted(shipped)
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]
    assert load_bundle(folder).manifest == manifest


def test_every_file_the_manifest_lists_is_checked(own_bundle):
    folder = own_bundle.paths.serving
    for name in read_manifest(folder).files:
        content = (folder / name).read_bytes()
        (folder / name).write_bytes(content + b" ")
        with pytest.raises(BundleError, match=f"{name}.*SHA-256.*make train"):
            load_bundle(folder)
        (folder / name).write_bytes(content)
    assert load_bundle(folder).files.keys() == read_manifest(folder).files.keys()


def test_a_manifest_naming_a_file_elsewhere_is_refused(own_bundle, rewrite_bundle):
    folder = own_bundle.paths.serving
    manifest = read_manifest(folder)
    elsewhere = manifest.model_copy(update={"files": {"../outside.json": "0" * 64}})
    (folder / MANIFEST_FILE).write_text(elsewhere.model_dump_json())
    with pytest.raises(BundleError, match=r"outside\.json.*not a file name"):
        load_bundle(folder)


def test_a_metric_undefined_at_training_is_null_and_the_server_starts(own_bundle, rewrite_bundle):
    folder = own_bundle.paths.serving
    manifest = read_manifest(folder)
    metrics = {**manifest.metrics, "val_roc_auc": None}
    rewrite_bundle(folder, manifest.model_copy(update={"metrics": metrics}))
    assert '"val_roc_auc": null' in (folder / MANIFEST_FILE).read_text()
    with TestClient(create_app(own_bundle)) as client:
        assert client.get("/ready").status_code == 200
        assert client.get("/model").json()["metrics"]["val_roc_auc"] is None
