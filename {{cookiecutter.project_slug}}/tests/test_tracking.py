import json

import mlflow
import pytest

from {{ cookiecutter.module_name }}.tracking import (
    CHAMPION,
    NoChampionError,
    best_version,
    load_champion,
)


def test_each_model_has_its_own_run(trained):
    settings = trained.settings
    runs = mlflow.search_runs(experiment_names=[settings.mlflow.experiment], output_format="list")
    assert sorted(run.info.run_name for run in runs) == ["baseline", "mlp"]
    for run in runs:
        assert {"val_log_loss", "test_accuracy", "test_majority_rate"} <= set(run.data.metrics)
        assert run.data.params["seed"] == str(settings.seed)


def test_mlp_run_has_per_epoch_metrics(trained):
    client = mlflow.MlflowClient()
    run_id = next(c["run_id"] for c in trained.summary["candidates"] if c["name"] == "mlp")
    history = client.get_metric_history(run_id, "val_loss")
    assert len(history) > 1
    assert [m.step for m in history] == list(range(1, len(history) + 1))


def test_both_versions_registered_and_champion_is_the_best(trained):
    settings = trained.settings
    client = mlflow.MlflowClient()
    versions = client.search_model_versions(f"name='{settings.mlflow.registered_model}'")
    assert len(versions) == 2
    metric = settings.mlflow.champion_metric
    scores = {c["version"]: c["metrics"][metric] for c in trained.summary["candidates"]}
    best = (max if settings.mlflow.greater_is_better else min)(scores, key=scores.__getitem__)
    champion = client.get_model_version_by_alias(settings.mlflow.registered_model, CHAMPION)
    assert str(champion.version) == best
    assert trained.summary["champion"]["version"] == best


def test_metrics_file_matches_the_runs(trained):
    written = json.loads((trained.settings.paths.reports / "metrics.json").read_text())
    assert written == trained.summary
    for candidate in written["candidates"]:
        run = mlflow.get_run(candidate["run_id"])
        assert run.data.metrics["test_accuracy"] == pytest.approx(
            candidate["metrics"]["test_accuracy"]
        )


def test_load_champion_predicts(trained):
    champion = load_champion(trained.settings.mlflow)
    record = {name: None for name in champion.schema.names}
    proba = champion.predict_proba([record])
    assert proba.shape == (1, len(champion.classes))
    assert champion.classes == champion.schema.classes


def test_missing_champion_says_what_to_do(trained):
    cfg = trained.settings.mlflow.model_copy(update={"registered_model": "never-trained"})
    with pytest.raises(NoChampionError, match="make train"):
        load_champion(cfg)


@pytest.mark.parametrize(
    ("scores", "greater", "expected"),
    [
        ({"1": 0.2, "2": 0.1}, False, "2"),
        ({"1": 0.2, "2": 0.1}, True, "1"),
        ({"1": 0.5, "2": 0.5}, True, "1"),  # a tie goes to the first, simpler model
    ],
)
def test_best_version(scores, greater, expected):
    assert best_version(scores, greater) == expected
