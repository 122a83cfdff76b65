"""The export stage: the served graph is the champion's, recorded in MLflow."""

import mlflow
import numpy as np

from {{ cookiecutter.module_name }}.bundle import (
    BACKGROUND_FILE,
    MANIFEST_FILE,
    MODEL_FILE,
    NEIGHBOURS_FILE,
    VECTORS_FILE,
    read_manifest,
)
from {{ cookiecutter.module_name }}.evaluation.metrics import model_output
from {{ cookiecutter.module_name }}.export.parity import TOLERANCE
from {{ cookiecutter.module_name }}.training.saved import load_pipeline


def test_served_answers_match_the_trained_champion(trained, test_split):
    from fastapi.testclient import TestClient

    from {{ cookiecutter.module_name }}.serving import create_app

    X, _, schema = test_split
    records = X.astype(object).where(X.notna(), None).to_dict(orient="records")
    with TestClient(create_app(trained.settings)) as client:
        answer = client.post("/predict/batch", json={"records": records}).json()
    if schema.spec.answer == "value":
        served = np.array([p["prediction"] for p in answer["predictions"]])
    else:
        served = np.array(
            [[p["probabilities"][c] for c in schema.classes] for p in answer["predictions"]]
        )
    champion = load_pipeline(trained.settings.paths.models, trained.promotion.champion.name)
    expected = model_output(champion, X, schema.spec)
    assert np.abs(served - expected).max() < TOLERANCE * max(1, np.abs(expected).max())


def test_checksum_and_bundle_are_recorded_in_mlflow(trained):
    manifest = read_manifest(trained.settings.paths.serving)
    cfg = trained.settings.mlflow
    client = mlflow.MlflowClient(cfg.tracking_uri)
    version = client.get_model_version(cfg.registered_model, manifest.version)
    assert version.tags["serving_sha256"] == manifest.sha256
    assert manifest.run_id == trained.promotion.champion.run_id
    logged = {a.path for a in client.list_artifacts(manifest.run_id, "serving")}
    shipped = {p.name for p in trained.settings.paths.serving.iterdir()}
    assert logged == {f"serving/{name}" for name in shipped}
    assert {MODEL_FILE, MANIFEST_FILE} <= shipped
    assert (BACKGROUND_FILE in shipped) == trained.settings.explain.endpoint
    assert ({VECTORS_FILE, NEIGHBOURS_FILE} <= shipped) == trained.settings.similar.endpoint
    assert set(manifest.files) == shipped - {MODEL_FILE, MANIFEST_FILE}
