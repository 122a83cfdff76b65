"""INT8 beside FP32: smaller, scored on the test split, served when asked."""

import json
import shutil

import pytest

from {{ cookiecutter.module_name }}.bundle import read_manifest
from {{ cookiecutter.module_name }}.export.parity import TOLERANCE
from {{ cookiecutter.module_name }}.records import CANDIDATES
from {{ cookiecutter.module_name }}.stages.export import export_models


def test_int8_is_reported_next_to_fp32(trained):
    report = json.loads((trained.settings.paths.reports / "metrics.json").read_text())["serving"]
    assert set(report["onnx_max_abs_diff"]) == set(CANDIDATES)
    assert max(report["onnx_max_abs_diff"].values()) < TOLERANCE
    int8 = report["int8"]
    assert int8["size_bytes_int8"] < int8["size_bytes_fp32"]
    score = read_manifest(trained.settings.paths.serving).feature_schema.spec.int8_metric
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
