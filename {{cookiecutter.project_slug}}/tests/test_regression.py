"""Regression end to end: a numeric target, chosen in params.yaml only."""

import json
import logging

import numpy as np
import pandas as pd
import pytest
import torch
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.config import DataSettings
from {{ cookiecutter.module_name }}.data import DataError, decide_task, load_diabetes_progression, validate
from {{ cookiecutter.module_name }}.models import MLP
from {{ cookiecutter.module_name }}.pipeline import StageError, load_pipeline, promote_champion
from {{ cookiecutter.module_name }}.report import results_table
from {{ cookiecutter.module_name }}.serving import create_app

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


def table(target: list[object]) -> tuple[pd.DataFrame, DataSettings]:
    frame = pd.DataFrame({"x": np.arange(len(target), dtype=float), "y": target})
    return frame, DataSettings(target="y")


@pytest.mark.parametrize(
    ("target", "task", "why"),
    [
        (["a", "b"] * 20, "classification", "not numbers"),
        ([True, False] * 20, "classification", "not numbers"),
        ([0, 1, 2, 3] * 10, "classification", "4 distinct whole numbers"),
        ([1.0, 2.0] * 20, "classification", "2 distinct whole numbers"),
        (list(range(40)), "regression", "40 distinct numbers"),
        ([0.5, 1.5] * 20, "regression", "2 distinct numbers"),
    ],
)
def test_task_auto_decides_from_the_target_and_says_why(target, task, why, caplog):
    frame, cfg = table(target)
    with caplog.at_level(logging.INFO, logger="{{ cookiecutter.module_name }}.data"):
        assert decide_task(frame, cfg) == task
    assert f"task: {task}" in caplog.text
    assert why in caplog.text


def test_a_task_set_in_params_wins_over_the_guess():
    frame, cfg = table([0, 1, 2, 3] * 10)
    assert decide_task(frame, cfg, "regression") == "regression"
    assert validate(frame, cfg, "regression")["y"].dtype == "float64"
    assert validate(frame, cfg, "classification")["y"].tolist()[:2] == ["0", "1"]


def test_a_regression_target_that_is_not_a_number_is_named_with_its_row():
    frame, cfg = table([1.5, 2.5, "n/a", 3.5] * 10)
    with pytest.raises(DataError, match=r"'y' \(data\.target\): 'n/a' \(row 3 .*task: class"):
        validate(frame, cfg, "regression")


def test_a_regression_target_with_one_value_is_refused():
    frame, cfg = table([2.5] * 40)
    with pytest.raises(DataError, match=r"'y' \(data\.target\) has one value only"):
        validate(frame, cfg, "regression")


def test_the_builtin_table_is_a_regression_with_readable_columns():
    frame = load_diabetes_progression()
    assert {"bmi", "bp", "ltg", "progression"} <= set(frame.columns)
    assert validate(frame, DataSettings(target="progression"))["progression"].nunique() > 100


def test_both_models_beat_the_mean_predictor_clearly(summary):
    assert summary["task"] == "regression"
    assert summary["main_metric"] == "rmse"
    floor = summary["mean_predictor"]["rmse"]
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
    best = min(promotion.candidates, key=lambda c: c.metrics["val_rmse"])
    assert promotion.champion.name == best.name


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
    table = results_table(summary)
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
        assert served[0] == body["prediction"]
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        assert schemas["ValuePrediction"]["properties"]["prediction"]["type"] == "number"
        refused = client.post("/predict", json={**records[0], "sex": "3"})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "sex"]


def test_a_classification_metric_for_a_regression_names_the_key(diabetes):
    mlflow = diabetes.mlflow.model_copy(update={"champion_metric": "val_log_loss"})
    with pytest.raises(StageError, match=r"mlflow\.champion_metric: val_log_loss .* val_rmse"):
        promote_champion(diabetes.model_copy(update={"mlflow": mlflow}))
