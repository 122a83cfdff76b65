"""One ONNX graph per pipeline: the same answers, imputation, rare groups, no paths."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pandas as pd
import pytest
import torch
from skl2onnx import convert_sklearn

import {{ cookiecutter.module_name }}
from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.evaluation.metrics import model_output
from {{ cookiecutter.module_name }}.export.graph import to_onnx
from {{ cookiecutter.module_name }}.export.parity import TOLERANCE, check_parity, onnx_output
from {{ cookiecutter.module_name }}.features import MAX_CATEGORIES, feature_frame, infer_schema, rows_of
from {{ cookiecutter.module_name }}.files import sha256
from {{ cookiecutter.module_name }}.models.baseline import build_baseline
from {{ cookiecutter.module_name }}.onnx_model import OnnxModel
from {{ cookiecutter.module_name }}.records import CANDIDATES, load_candidate
from {{ cookiecutter.module_name }}.training.saved import load_pipeline


@pytest.mark.parametrize("name", CANDIDATES)
def test_exported_graph_matches_the_trained_model(trained, test_split, name):
    X, _, schema = test_split
    graph = (trained.settings.paths.onnx / f"{name}.onnx").read_bytes()
    expected = model_output(load_pipeline(trained.settings.paths.models, name), X, schema.spec)
    gap = np.abs(onnx_output(graph, schema, X) - expected).max()
    assert gap < TOLERANCE * max(1, np.abs(expected).max())


@pytest.mark.parametrize("name", CANDIDATES)
def test_the_graph_embeds_rows_as_the_model_sees_them(trained, test_split, name):
    """The baseline's preprocessed inputs; the MLP's last hidden layer before its ReLU."""
    X, _, schema = test_split
    graph = (trained.settings.paths.onnx / f"{name}.onnx").read_bytes()
    embedded = OnnxModel(graph, schema).embed(rows_of(X))
    pipeline = load_pipeline(trained.settings.paths.models, name)
    seen = pipeline.named_steps["preprocess"].transform(X)
    seen = np.asarray(seen.toarray() if hasattr(seen, "toarray") else seen, dtype=np.float32)
    if name == "mlp":
        layers = pipeline.named_steps["model"].network().layers
        with torch.no_grad():
            seen = layers[:-3](torch.as_tensor(seen)).numpy()
    norms = np.linalg.norm(seen, axis=1, keepdims=True)
    expected = np.divide(seen, norms, out=np.zeros_like(seen), where=norms > 0)
    assert embedded.shape == expected.shape
    assert np.abs(embedded - expected).max() < 1e-4
    assert np.allclose(np.linalg.norm(embedded[norms[:, 0] > 0], axis=1), 1, atol=1e-5)


def test_missing_values_are_imputed_as_in_training(trained, test_split):
    X, _, schema = test_split
    holes = X.head(20).copy()
    for i in range(len(schema.names)):
        holes.iloc[i :: len(schema.names), i] = None  # every feature missing somewhere
    holes = feature_frame(schema, holes)
    pipeline = load_pipeline(trained.settings.paths.models, "baseline")
    check_parity("baseline", to_onnx(pipeline, schema).SerializeToString(), pipeline, schema, holes)


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
    assert np.abs(onnx_output(graph, schema, X) - model.predict_proba(X)).max() < TOLERANCE


# Exports the trained candidates again in a process of its own and prints their checksums.
REEXPORT = """
import sys
from pathlib import Path
from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.export.graph import to_onnx
from {{ cookiecutter.module_name }}.files import sha256
from {{ cookiecutter.module_name }}.records import CANDIDATES, load_candidate
from {{ cookiecutter.module_name }}.training.saved import load_pipeline
processed, models = Path(sys.argv[1]), Path(sys.argv[2])
_, schema = load_splits(processed)
for name in CANDIDATES:
    graph = to_onnx(load_pipeline(models, name), schema, load_candidate(models, name).threshold)
    print(name, sha256(graph.SerializeToString()))
"""


def test_the_same_model_exports_to_the_same_bytes(trained):
    """The manifest's checksum is the graph's: the same model must give the same bytes."""
    paths = trained.settings.paths
    exported = {name: sha256((paths.onnx / f"{name}.onnx").read_bytes()) for name in CANDIDATES}
    _, schema = load_splits(paths.processed)
    for name in CANDIDATES:
        threshold = load_candidate(paths.models, name).threshold
        graph = to_onnx(load_pipeline(paths.models, name), schema, threshold)
        assert sha256(graph.SerializeToString()) == exported[name], name
    # Another process hashes strings otherwise, so iterates sets of names in another order.
    src = str(Path({{ cookiecutter.module_name }}.__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "-c", REEXPORT, str(paths.processed), str(paths.models)],
        env={**os.environ, "PYTHONPATH": src, "PYTHONHASHSEED": "random"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()[-len(CANDIDATES) :]
    assert dict(line.split() for line in lines) == exported


def test_the_bytes_do_not_depend_on_the_order_skl2onnx_lists_domains(trained, monkeypatch):
    """skl2onnx lists a graph's opsets in the order of a set, which changes per process."""
    paths = trained.settings.paths
    _, schema = load_splits(paths.processed)

    def reversed_domains(*args: Any, **kwargs: Any) -> onnx.ModelProto:
        model: onnx.ModelProto = convert_sklearn(*args, **kwargs)
        opsets = [(o.domain, o.version) for o in model.opset_import][::-1]
        del model.opset_import[:]
        model.opset_import.extend(onnx.helper.make_opsetid(*o) for o in opsets)
        return model

    for name in CANDIDATES:
        pipeline = load_pipeline(paths.models, name)
        expected = to_onnx(pipeline, schema).SerializeToString()
        with monkeypatch.context() as patch:
            patch.setattr(f"{to_onnx.__module__}.convert_sklearn", reversed_domains)
            assert to_onnx(pipeline, schema).SerializeToString() == expected, name
