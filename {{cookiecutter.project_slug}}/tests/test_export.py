import json
import shutil
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

import {{ cookiecutter.module_name }}
from {{ cookiecutter.module_name }}.data import load_splits
from {{ cookiecutter.module_name }}.evaluation import model_output
from {{ cookiecutter.module_name }}.export import ExportError, check_parity, int8_metric, onnx_output, to_onnx
from {{ cookiecutter.module_name }}.features import MAX_CATEGORIES, feature_frame, infer_schema
from {{ cookiecutter.module_name }}.models import build_baseline
from {{ cookiecutter.module_name }}.pipeline import CANDIDATES, export_models, load_pipeline, targets
from {{ cookiecutter.module_name }}.serving.bundle import MANIFEST_FILE, read_manifest


@pytest.fixture(scope="module")
def test_split(trained):
    splits, schema = load_splits(trained.settings.paths.processed)
    test = splits["test"]
    return feature_frame(schema, test), targets(test, schema), schema


@pytest.mark.parametrize("name", CANDIDATES)
def test_exported_graph_matches_the_trained_model(trained, test_split, name):
    X, _, schema = test_split
    graph = (trained.settings.paths.onnx / f"{name}.onnx").read_bytes()
    expected = model_output(load_pipeline(trained.settings.paths.models, name), X, schema.task)
    gap = np.abs(onnx_output(graph, schema, X) - expected).max()
    assert gap < 1e-5 * max(1, np.abs(expected).max() if schema.regression else 1)


def test_served_answers_match_the_trained_champion(trained, test_split):
    from fastapi.testclient import TestClient

    from {{ cookiecutter.module_name }}.serving import create_app

    X, _, schema = test_split
    records = X.astype(object).where(X.notna(), None).to_dict(orient="records")
    with TestClient(create_app(trained.settings)) as client:
        answer = client.post("/predict/batch", json={"records": records}).json()
    if schema.regression:
        served = np.array([p["prediction"] for p in answer["predictions"]])
    else:
        served = np.array(
            [[p["probabilities"][c] for c in schema.classes] for p in answer["predictions"]]
        )
    champion = load_pipeline(trained.settings.paths.models, trained.promotion.champion.name)
    expected = model_output(champion, X, schema.task)
    assert np.abs(served - expected).max() < 1e-5 * max(1, np.abs(expected).max())


def test_missing_values_are_imputed_as_in_training(trained, test_split):
    X, _, schema = test_split
    holes = X.head(20).copy()
    for i in range(len(schema.names)):
        holes.iloc[i :: len(schema.names), i] = None  # every feature missing somewhere
    holes = feature_frame(schema, holes)
    pipeline = load_pipeline(trained.settings.paths.models, "baseline")
    check_parity("baseline", to_onnx(pipeline, schema).SerializeToString(), pipeline, schema, holes)


def test_parity_failure_names_the_model(trained, test_split):
    X, _, schema = test_split
    baseline = load_pipeline(trained.settings.paths.models, "baseline")
    other = (trained.settings.paths.onnx / "mlp.onnx").read_bytes()
    with pytest.raises(ExportError, match="baseline differs"):
        check_parity("baseline", other, baseline, schema, X, tolerance=1e-12)


def test_checksum_and_bundle_are_recorded_in_mlflow(trained):
    manifest = read_manifest(trained.settings.paths.serving)
    cfg = trained.settings.mlflow
    client = mlflow.MlflowClient(cfg.tracking_uri)
    version = client.get_model_version(cfg.registered_model, manifest.version)
    assert version.tags["serving_sha256"] == manifest.sha256
    assert manifest.run_id == trained.promotion.champion.run_id
    logged = {a.path for a in client.list_artifacts(manifest.run_id, "serving")}
    assert logged == {"serving/model.onnx", f"serving/{MANIFEST_FILE}"}


def test_int8_is_reported_next_to_fp32(trained):
    report = json.loads((trained.settings.paths.reports / "metrics.json").read_text())["serving"]
    assert set(report["onnx_max_abs_diff"]) == set(CANDIDATES)
    assert max(report["onnx_max_abs_diff"].values()) < 1e-5
    int8 = report["int8"]
    assert int8["size_bytes_int8"] < int8["size_bytes_fp32"]
    score = int8_metric(read_manifest(trained.settings.paths.serving).feature_schema)
    change = int8[f"{score}_int8"] - int8[f"{score}_fp32"]
    assert int8[f"{score}_change"] == pytest.approx(change)
    if score == "accuracy":
        assert change > -0.05
    else:  # RMSE: lower is better
        assert change < 0.05 * int8[f"{score}_fp32"]
    assert int8["latency_us_int8"] > 0


def test_int8_option_serves_the_quantized_mlp(trained, base_settings, make_settings, tmp_path):
    source = trained.settings.paths.processed.parents[1]
    shutil.copytree(source, tmp_path, dirs_exist_ok=True)
    serving = base_settings.serving.model_copy(update={"int8": True})
    settings = make_settings(tmp_path, base_settings.model_copy(update={"serving": serving}))
    champion = trained.promotion.champion.name
    manifest = export_models(settings)
    assert manifest.quantized == (champion == "mlp")
    expected = "mlp.int8" if champion == "mlp" else champion
    graph = (settings.paths.onnx / f"{expected}.onnx").read_bytes()
    assert (settings.paths.serving / "model.onnx").read_bytes() == graph


def test_graphs_carry_no_machine_paths(trained):
    # The torch exporter records stack traces; a shipped graph must not name our folders.
    source = str(Path({{ cookiecutter.module_name }}.__file__).resolve().parent).encode()
    graphs = list(trained.settings.paths.onnx.glob("*.onnx"))
    assert len(graphs) == 3
    assert all(source not in graph.read_bytes() for graph in graphs)


def test_rare_categories_share_one_column_in_the_graph_too(base_settings):
    """60 codes, a few rows each: the graph groups the rare ones as scikit-learn does."""
    rng = np.random.default_rng(0)
    codes = rng.zipf(1.5, 3000) % 60  # some codes common, many rare
    X = pd.DataFrame({"code": [f"c{c}" for c in codes], "size": rng.normal(size=3000)})
    X.loc[::50, "code"] = np.nan
    y = np.where((codes % 3 == 0) ^ (X["size"] > 0), "yes", "no")
    schema = infer_schema(X.assign(label=y), "label")
    model = build_baseline(schema, base_settings.baseline, seed=0).fit(X, y)
    encoder = model.named_steps["preprocess"].named_transformers_["categorical"][-1]
    assert len(encoder.get_feature_names_out()) == MAX_CATEGORIES
    graph = to_onnx(model, schema).SerializeToString()
    assert np.abs(onnx_output(graph, schema, X) - model.predict_proba(X)).max() < 1e-5
