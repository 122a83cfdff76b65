"""Regression end to end: a numeric target, chosen in params.yaml only."""

import json

import numpy as np
import pandas as pd
import pytest
import torch
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.evaluation.summary import Summary
from {{ cookiecutter.module_name }}.models.mlp import MLP
from {{ cookiecutter.module_name }}.records import StageError
from {{ cookiecutter.module_name }}.report.tables import results_table
from {{ cookiecutter.module_name }}.serving import create_app
from {{ cookiecutter.module_name }}.stages.promote import promote_champion
from {{ cookiecutter.module_name }}.training.saved import load_pipeline

# A whole pipeline on scikit-learn's diabetes table, whatever this project's data.
pytestmark = pytest.mark.slow

DIABETES = {
    "task": "auto",
    "data": {
        "source": "diabetes",
        "target": "progression",
        "drop": [],
        "categorical": ["sex"],  # coded 1 and 2
        "numeric": [],
    },
    "evaluation": {"slices": ["sex"], "bootstrap": 200},
}


@pytest.fixture(scope="module")
def diabetes(train_with_params, tmp_path_factory):
    """Point a copy of params.yaml at scikit-learn's diabetes table, and run it all."""
    return train_with_params(tmp_path_factory.mktemp("diabetes"), DIABETES)


@pytest.fixture(scope="module")
def summary(diabetes):
    return json.loads((diabetes.paths.reports / "metrics.json").read_text())


def test_both_models_beat_the_mean_predictor_clearly(summary):
    assert summary["task"] == "regression"
    assert summary["main_metric"] == "rmse"
    floor = summary["floor"]["rmse"]
    for model in summary["models"].values():
        test = model["test"]
        assert set(test) == {"rmse", "mae", "r2"}
        assert test["rmse"] < 0.85 * floor
        assert test["r2"] > 0.25
        assert model["interval"]["low"] < test["rmse"] < model["interval"]["high"]
        assert set(model["slices"]["sex"]["groups"]) == {"1", "2"}
        assert next(iter(model["importance"])) in {"bmi", "ltg", "tc", "bp"}


def test_the_champion_has_the_lowest_validation_rmse(diabetes):
    promotion = promote_champion(diabetes)
    assert promotion.metric == "val_rmse"
    scores = {c.name: c.metrics["val_rmse"] for c in promotion.candidates}
    assert None not in scores.values()
    best = min(scores, key=lambda name: scores[name] or 0.0)
    assert promotion.champion.name == best


def test_report_figures_and_card_speak_regression(diabetes, summary):
    figures = diabetes.paths.reports / "figures"
    for name in summary["models"]:
        for kind in ("predicted", "residuals", "importance"):
            assert (figures / f"{kind}_{name}.png").stat().st_size > 5000
    assert not list(figures.glob("confusion_*"))
    card = (diabetes.paths.reports / "model_card.md").read_text()
    assert "Predicts `progression` (a number;" in card
    assert "| model | rmse | mae | r2 | rmse 95% CI |" in card
    assert "| mean predictor |" in card
    table = results_table(Summary.model_validate(summary), [])  # metrics.json reads back typed
    assert "mean-predictor row" in table
    assert "(reports/figures/residuals_mlp.png)" in table


def test_the_mlp_predicts_in_the_units_of_the_target(diabetes):
    """The standardization folded into the last layer equals undoing it by hand."""
    pipeline = load_pipeline(diabetes.paths.models, "mlp")
    checkpoint = torch.load(diabetes.paths.models / "mlp.pt", weights_only=True)
    config = checkpoint["config"]
    network = MLP(config["n_features"], config["hidden_sizes"], 1, config["dropout"]).eval()
    network.load_state_dict(checkpoint["state_dict"])
    test = pd.read_parquet(diabetes.paths.processed / "test.parquet").drop(columns="progression")
    inputs = torch.as_tensor(
        pipeline.named_steps["preprocess"].transform(test), dtype=torch.float32
    )
    with torch.no_grad():
        standardized = network(inputs)[:, 0].double().numpy()
    by_hand = config["target_mean"] + config["target_scale"] * standardized
    np.testing.assert_allclose(pipeline.predict(test), by_hand, rtol=1e-5)


def test_the_api_answers_a_number(diabetes):
    pipeline = load_pipeline(
        diabetes.paths.models,
        json.loads((diabetes.paths.models / "champion.json").read_text())["name"],
    )
    test = pd.read_parquet(diabetes.paths.processed / "test.parquet").drop(columns="progression")
    records = json.loads(test.head(20).to_json(orient="records"))
    with TestClient(create_app(diabetes)) as client:
        response = client.post("/predict", json=records[0])
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"prediction", "model"}
        assert isinstance(body["prediction"], float)
        batch = client.post("/predict/batch", json={"records": records})
        assert batch.status_code == 200, batch.text
        served = [p["prediction"] for p in batch.json()["predictions"]]
        np.testing.assert_allclose(served, pipeline.predict(test.head(20)), rtol=1e-5)
        assert served[0] == pytest.approx(body["prediction"], rel=1e-6)  # float32, batched or not
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        assert schemas["ValuePrediction"]["properties"]["prediction"]["type"] == "number"
        for code in (1, 1.0, "1"):  # a code as a JSON number or as text
            coded = client.post("/predict", json={**records[0], "sex": code})
            assert coded.status_code == 200, coded.text
        refused = client.post("/predict", json={**records[0], "sex": "3"})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "sex"]


def test_a_classification_metric_for_a_regression_names_the_key(diabetes):
    mlflow = diabetes.mlflow.model_copy(update={"champion_metric": "val_log_loss"})
    with pytest.raises(StageError, match=r"mlflow\.champion_metric: val_log_loss .* val_rmse"):
        promote_champion(diabetes.model_copy(update={"mlflow": mlflow}))
