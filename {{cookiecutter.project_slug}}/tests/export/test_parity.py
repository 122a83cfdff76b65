"""Parity: a graph that disagrees with its pipeline is refused, naming the model."""

import pytest

from {{ cookiecutter.module_name }}.export import ExportError
from {{ cookiecutter.module_name }}.export.parity import check_parity
from {{ cookiecutter.module_name }}.training.saved import load_pipeline


def test_parity_failure_names_the_model(trained, test_split):
    X, _, schema = test_split
    baseline = load_pipeline(trained.settings.paths.models, "baseline")
    other = (trained.settings.paths.onnx / "mlp.onnx").read_bytes()
    with pytest.raises(ExportError, match="baseline differs"):
        check_parity("baseline", other, baseline, schema, X, tolerance=1e-12)
