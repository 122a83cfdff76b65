"""The evaluate stage: test metrics in MLflow and metrics.json, figures logged."""

import json

import mlflow
import pytest

from {{ cookiecutter.module_name }}.records import StageError
from {{ cookiecutter.module_name }}.stages.data import prepare
from {{ cookiecutter.module_name }}.stages.evaluate import evaluate_candidates


@pytest.fixture
def client(trained):
    return mlflow.MlflowClient(trained.settings.mlflow.tracking_uri)


def test_metrics_file_holds_only_reproducible_numbers(trained, client):
    written = json.loads((trained.settings.paths.reports / "metrics.json").read_text())
    assert written["champion"] == trained.promotion.champion.name
    for candidate in trained.promotion.candidates:
        test = written["models"][candidate.name]["test"]
        run = client.get_run(candidate.run_id)
        assert len(test) >= 3
        for key, value in test.items():
            assert run.data.metrics[f"test_{key}"] == pytest.approx(value)
        # Training never looks at the test split: only the evaluation scores it.
        assert all(key.startswith("val_") for key in candidate.metrics)
    assert "run_id" not in json.dumps(written)


def test_evaluation_figures_are_logged_to_each_run(trained, client):
    for candidate in trained.promotion.candidates:
        logged = {a.path for a in client.list_artifacts(candidate.run_id, "figures")}
        first = "predicted" if candidate.task == "regression" else "confusion"
        assert f"figures/{first}_{candidate.name}.png" in logged
        assert len(logged) >= 3


def test_evaluate_before_training_says_what_to_do(settings):
    prepare(settings)
    with pytest.raises(StageError, match=r"champion\.json not found: run `make train`"):
        evaluate_candidates(settings)
