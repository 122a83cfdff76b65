"""The pipeline on another table, chosen in params.yaml only."""

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from palmerpenguins import load_penguins
from sklearn.datasets import load_breast_cancer

from {{ cookiecutter.module_name }}.features import MAX_CATEGORIES
from {{ cookiecutter.module_name }}.serving import create_app
from {{ cookiecutter.module_name }}.training.saved import load_pipeline

ROOT = Path(__file__).resolve().parents[1]
# Whole pipelines on tables of their own, whatever this project's data: slow, and the same
# in every project.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cancer(train_with_params, tmp_path_factory):
    """Point a copy of params.yaml at scikit-learn's breast cancer table, and run it all."""
    workdir = tmp_path_factory.mktemp("cancer")
    load_breast_cancer(as_frame=True).frame.to_csv(workdir / "cancer.csv", index=False)
    return train_with_params(
        workdir,
        {
            "data": {
                "source": str(workdir / "cancer.csv"),
                "allow_outside": True,  # beside the copy of params.yaml, not in data/raw/
                "target": "target",
            },
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


# Column names a real export has: spaces, punctuation, unicode, mixed case, a leading digit.
AWKWARD = {
    "species": "Species",
    "island": "île",
    "bill_length_mm": "Bill length (mm)",
    "bill_depth_mm": "bill-depth/mm",
    "flipper_length_mm": "3rd: flipper",
    "body_mass_g": "Body Mass g",
    "sex": "Sex",
}


@pytest.fixture(scope="module")
def awkward(train_with_params, tmp_path_factory):
    """Penguins as a messy CSV: odd names, an id, codes, a boolean, dates, useless columns."""
    workdir = tmp_path_factory.mktemp("awkward")
    rng = np.random.default_rng(0)
    raw = load_penguins()  # known columns to rename, whatever this project's table is
    extra: dict[str, Any] = {
        "tag id": np.arange(len(raw)) + 1000,  # an id: listed under data.drop
        "ring code": [f"r{i % 60}" for i in range(len(raw))],  # 60 categories
        "is adult": rng.random(len(raw)) < 0.8,
        "recorded on": pd.date_range("2007-11-01", periods=len(raw)).strftime("%Y-%m-%d"),
        "colony": "Palmer",
        "notes": np.nan,
    }
    table = raw.rename(columns=AWKWARD).assign(**extra)
    table.to_csv(workdir / "awkward.csv.gz", index=False)
    settings = train_with_params(
        workdir,
        {
            "data": {
                "source": str(workdir / "awkward.csv.gz"),
                "allow_outside": True,
                "target": "Species",
                "drop": ["tag id"],
                "categorical": ["year"],
            },
            "evaluation": {"slices": ["île"], "bootstrap": 100},
        },
    )
    return settings, table


def test_awkward_columns_keep_their_names_and_lose_what_cannot_help(awkward):
    settings, table = awkward
    schema = json.loads((settings.paths.processed / "schema.json").read_text())
    kinds = {feature["name"]: feature["kind"] for feature in schema["features"]}
    assert set(kinds) == set(table.columns) - {
        "Species", "tag id", "recorded on", "colony", "notes"
    }  # fmt: skip
    assert kinds["year"] == kinds["is adult"] == kinds["ring code"] == "categorical"
    assert kinds["3rd: flipper"] == "numeric"
    preprocess = load_pipeline(settings.paths.models, "mlp").named_steps["preprocess"]
    one_hot = [n for n in preprocess.get_feature_names_out() if n.startswith("categorical__ring")]
    assert len(one_hot) == MAX_CATEGORIES  # 60 codes: the rarest share one column
    assert "categorical__ring code_infrequent_sklearn" in one_hot
    summary = json.loads((settings.paths.reports / "metrics.json").read_text())
    assert set(summary["models"]["baseline"]["slices"]) == {"île"}
    assert summary["models"][summary["champion"]]["test"]["accuracy"] > 0.9


def test_awkward_columns_are_the_api_keys(awkward):
    settings, table = awkward
    record = table.drop(columns=["Species", "tag id", "recorded on", "colony", "notes"])
    record = json.loads(record.iloc[[0]].to_json(orient="records"))[0]
    record["year"] = str(record["year"])
    assert isinstance(record["is adult"], bool)
    with TestClient(create_app(settings)) as client:
        properties = client.get("/openapi.json").json()["components"]["schemas"]["Record"]
        left_out = {"tag id", "recorded on", "colony", "notes"}  # accepted, and ignored
        assert set(properties["properties"]) == set(record) | left_out
        assert set(properties["required"]) == set(record)
        response = client.post("/predict", json=record)
        assert response.status_code == 200, response.text
        assert response.json()["prediction"] in {"Adelie", "Chinstrap", "Gentoo"}
        response = client.post("/predict", json={**record, "is adult": "sometimes"})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "is adult"]


def test_a_row_of_the_table_as_it_is_gets_an_answer(awkward):
    """The columns the data step left out ride along and are ignored; a new one is named."""
    settings, table = awkward
    [row] = json.loads(table.drop(columns="Species").iloc[[5]].to_json(orient="records"))
    assert isinstance(row["year"], int)  # a code listed under data.categorical, as a number
    with TestClient(create_app(settings)) as client:
        response = client.post("/predict", json=row)
        assert response.status_code == 200, response.text
        assert response.json()["prediction"] in {"Adelie", "Chinstrap", "Gentoo"}
        as_float = client.post("/predict", json={**row, "year": float(row["year"])})
        assert as_float.json()["probabilities"] == response.json()["probabilities"]
        ignored = client.get("/model").json()["feature_schema"]["ignored"]
        assert ignored == {
            "tag id": "data.drop",
            "recorded on": "dates",
            "colony": "constant",
            "notes": "empty",
        }
        refused = client.post("/predict", json={**row, "wing span": 1.0})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "wing span"]
