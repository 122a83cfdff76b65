"""The training stage: a run per candidate, its data and epochs, a registered version."""

import json

import mlflow
import pytest

from {{ cookiecutter.module_name }}.fairness.logged import MITIGATED
from {{ cookiecutter.module_name }}.records import CANDIDATES, load_candidate


@pytest.fixture
def client(trained):
    return mlflow.MlflowClient(trained.settings.mlflow.tracking_uri)


def test_each_model_has_its_own_run(trained, client):
    settings = trained.settings
    experiment = client.get_experiment_by_name(settings.mlflow.experiment)
    runs = client.search_runs([experiment.experiment_id])
    runs = [run for run in runs if run.info.run_name != MITIGATED]  # the fairness stage's
    assert sorted(run.info.run_name for run in runs) == sorted(CANDIDATES)
    if trained.promotion.champion.task == "regression":
        expected = {"val_rmse", "test_rmse", "test_r2", "test_floor_rmse"}
    else:
        expected = {"val_log_loss", "test_accuracy", "test_floor_accuracy", "test_floor_roc_auc"}
    for run in runs:
        assert expected <= set(run.data.metrics)
        assert run.data.params["seed"] == str(settings.seed)


def test_runs_record_the_data_they_trained_on(trained, client):
    for candidate in trained.promotion.candidates:
        inputs = client.get_run(candidate.run_id).inputs
        assert inputs is not None
        contexts = {i.tags[0].value: i.dataset for i in inputs.dataset_inputs}
        assert set(contexts) == {"train", "val", "test"}
        assert all(dataset.digest for dataset in contexts.values())
        assert json.loads(contexts["train"].source)["uri"].endswith("train.parquet")


def test_mlp_run_has_per_epoch_metrics(trained, client):
    mlp = next(c for c in trained.promotion.candidates if c.name == "mlp")
    history = client.get_metric_history(mlp.run_id, "val_loss")
    assert len(history) > 1
    assert [m.step for m in history] == list(range(1, len(history) + 1))
    csv = (trained.settings.paths.reports / "mlp_history.csv").read_text().splitlines()
    accuracy = ",val_accuracy" * (mlp.task == "classification")
    assert csv[0] == f"epoch,train_loss,val_loss{accuracy}"
    assert len(csv) == len(history) + 1
    speed = client.get_metric_history(mlp.run_id, "samples_per_second")
    assert [m.step for m in speed] == [m.step for m in history]
    assert all(m.value > 0 for m in speed)


def test_candidate_records_point_at_their_runs(trained):
    for candidate in trained.promotion.candidates:
        assert load_candidate(trained.settings.paths.models, candidate.name) == candidate
        assert (trained.settings.paths.models / f"{candidate.name}.skops").stat().st_size > 0
