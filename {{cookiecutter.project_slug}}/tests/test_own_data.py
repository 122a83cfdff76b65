"""The pipeline on another table, chosen in params.yaml only."""

import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sklearn.datasets import load_breast_cancer

from {{ cookiecutter.module_name }}.serving import create_app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cancer(train_with_params, tmp_path_factory):
    """Point a copy of params.yaml at scikit-learn's breast cancer table, and run it all."""
    workdir = tmp_path_factory.mktemp("cancer")
    load_breast_cancer(as_frame=True).frame.to_csv(workdir / "cancer.csv", index=False)
    return train_with_params(
        workdir,
        {
            "data": {"source": str(workdir / "cancer.csv"), "target": "target"},
            "evaluation": {"slices": [], "bootstrap": 200},
        },
    )


def test_metrics_for_a_binary_table(cancer):
    summary = json.loads((cancer.paths.reports / "metrics.json").read_text())
    for model in summary["models"].values():
        assert model["slices"] == {}
        assert model["test"]["roc_auc"] > 0.9


def test_serving_columns_with_spaces(cancer):
    record = load_breast_cancer(as_frame=True).data.iloc[0].to_dict()
    with TestClient(create_app(cancer)) as client:
        response = client.post("/predict", json=record)
        assert response.status_code == 200, response.text
        assert response.json()["prediction"] in {"0", "1"}
        assert np.isclose(sum(response.json()["probabilities"].values()), 1)
