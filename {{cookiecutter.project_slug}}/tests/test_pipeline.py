import json

import mlflow
import pytest

from {{ cookiecutter.module_name }}.data import prepare
from {{ cookiecutter.module_name }}.evaluation import greater_is_better
from {{ cookiecutter.module_name }}.pipeline import (
    CANDIDATES,
    StageError,
    evaluate_candidates,
    load_candidate,
    promote_champion,
    train_candidate,
)
from {{ cookiecutter.module_name }}.tracking import CHAMPION


@pytest.fixture
def client(trained):
    return mlflow.MlflowClient(trained.settings.mlflow.tracking_uri)


def test_each_model_has_its_own_run(trained, client):
    settings = trained.settings
    experiment = client.get_experiment_by_name(settings.mlflow.experiment)
    runs = client.search_runs([experiment.experiment_id])
    assert sorted(run.info.run_name for run in runs) == sorted(CANDIDATES)
    if trained.promotion.champion.task == "regression":
        expected = {"val_rmse", "test_rmse", "test_r2", "test_mean_predictor_rmse"}
    else:
        expected = {"val_log_loss", "test_accuracy", "test_majority_rate"}
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


def test_both_versions_registered_and_champion_is_the_best(trained, client):
    settings, promotion = trained.settings, trained.promotion
    versions = client.search_model_versions(f"name='{settings.mlflow.registered_model}'")
    assert len(versions) == len(CANDIDATES)
    scores = {c.version: c.metrics[promotion.metric] for c in promotion.candidates}
    best = (max if greater_is_better(promotion.metric) else min)(scores, key=scores.__getitem__)
    champion = client.get_model_version_by_alias(settings.mlflow.registered_model, CHAMPION)
    assert str(champion.version) == best == promotion.champion.version


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


def test_candidate_records_point_at_their_runs(trained):
    for candidate in trained.promotion.candidates:
        assert load_candidate(trained.settings.paths.models, candidate.name) == candidate
        assert (trained.settings.paths.models / f"{candidate.name}.skops").stat().st_size > 0


def test_promote_before_training_says_what_to_do(settings):
    with pytest.raises(StageError, match="make train"):
        promote_champion(settings)


def test_evaluate_before_training_says_what_to_do(settings):
    prepare(settings)
    with pytest.raises(StageError, match=r"champion\.json not found: run `make train`"):
        evaluate_candidates(settings)


def test_a_baseline_sample_too_small_for_the_classes_names_the_key(penguin_settings, monkeypatch):
    settings = penguin_settings
    monkeypatch.chdir(settings.paths.models.parent)  # MLflow keeps artifacts in ./mlruns
    prepare(settings)
    baseline = settings.baseline.model_copy(update={"max_rows": 2})
    with pytest.raises(StageError, match=r"baseline\.max_rows: .*classes"):
        train_candidate(settings.model_copy(update={"baseline": baseline}), "baseline")
    assert not (settings.paths.models / "baseline.json").exists()
