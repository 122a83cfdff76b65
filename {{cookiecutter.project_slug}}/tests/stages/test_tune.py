"""The tune stage: a search per candidate and fit on its own rows, tuned.yaml, and training
that uses what it found."""

import mlflow
import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.features import feature_frame, targets
from {{ cookiecutter.module_name }}.fits import selection_fits
from {{ cookiecutter.module_name }}.records import CANDIDATES, CandidateName, load_candidate
from {{ cookiecutter.module_name }}.stages import tune as tune_stage
from {{ cookiecutter.module_name }}.stages.data import prepare
from {{ cookiecutter.module_name }}.stages.train import train_candidate
from {{ cookiecutter.module_name }}.stages.tune import tune_candidates
from {{ cookiecutter.module_name }}.training.saved import load_pipeline
from {{ cookiecutter.module_name }}.tuning.objective import Objective
from {{ cookiecutter.module_name }}.tuning.tuned import Tuned, TunedCandidate, TuningError, read_tuned

pytestmark = pytest.mark.slow

SMALL = {
    "selection": {"folds": 2, "cv_below_rows": 100_000},  # folds, whatever the table's size
    "torch": {"epochs": 4, "patience": 50},
    "tune": {
        "trials": 2,
        "timeout": None,
        "baseline": {
            "C": {"low": 0.01, "high": 10, "log": True},
            "alpha": {"low": 0.1, "high": 10},
        },
        "mlp": {"hidden_sizes": {"choices": [[8], [16, 8]]}, "lr": {"low": 0.001, "high": 0.01}},
    },
}


@pytest.fixture
def small(tmp_path, make_settings, params_copy, monkeypatch):
    monkeypatch.chdir(tmp_path)  # MLflow keeps artifacts of a new experiment in ./mlruns
    settings = make_settings(tmp_path, params_copy(tmp_path, SMALL))
    prepare(settings)
    return settings


def pool(settings):
    splits, schema = load_splits(settings.paths.processed)
    parts = [splits["train"], splits["val"]]
    X = pd.concat([feature_frame(schema, part) for part in parts], ignore_index=True)
    y = np.concatenate([targets(part, schema) for part in parts])
    fits = selection_fits(
        settings.selection, settings.seed, y, len(parts[0]), schema.spec.stratified
    )
    return X, y, fits, schema


def of(tuned: Tuned, name: CandidateName) -> TunedCandidate:
    found = tuned.of(name)
    assert found is not None, f"{name} was not tuned"
    return found


def test_each_fit_is_searched_on_its_own_rows_only(small, monkeypatch):
    searched: dict[str, list[np.ndarray]] = {}
    real = Objective

    def spy(name, settings, space, X, y, schema, metric):
        searched.setdefault(name, []).append(X.index.to_numpy())
        return real(name, settings, space, X, y, schema, metric)

    monkeypatch.setattr(tune_stage, "Objective", spy)
    tune_candidates(small, progress=False)
    _, _, fits, _ = pool(small)
    assert [fit.key for fit in fits] == ["fold1", "fold2", "all"]
    for rows in searched.values():
        assert len(rows) == len(fits)
        for found, fit in zip(rows, fits, strict=True):
            np.testing.assert_array_equal(found, fit.rows)
            assert not set(found) & set(fit.held)  # never the rows that score it


def test_tuning_writes_what_training_then_uses(small):
    tuned = tune_candidates(small, progress=False)
    assert read_tuned(small.paths.tuned) == tuned
    task = load_splits(small.paths.processed)[1].task
    for name in CANDIDATES:
        found = of(tuned, name)
        assert list(found.fits) == ["fold1", "fold2", "all"]
        assert all(fit.trials == 2 for fit in found.fits.values())
        assert found.metric == ("val_log_loss" if task == "classification" else "val_rmse")
    # The baseline searches only the key that this task's linear model reads.
    assert list(of(tuned, "baseline").space) == (["C"] if task == "classification" else ["alpha"])

    again = tune_candidates(small, names=("mlp",), progress=False)
    assert of(again, "mlp").registered.trials == 4  # the study went on
    assert again.of("baseline") == tuned.of("baseline")  # kept as it was

    for name in CANDIDATES:
        candidate = train_candidate(small, name, progress=False)
        assert candidate is not None
        assert candidate.tuned == of(again, name).registered.params
        assert "nested" in candidate.tuning
        assert load_candidate(small.paths.models, name).tuned == candidate.tuned
    best = of(again, "mlp").registered.params
    model = load_pipeline(small.paths.models, "mlp").named_steps["model"]
    assert (list(model.hidden_sizes), model.lr) == (best["hidden_sizes"], best["lr"])
    baseline = load_pipeline(small.paths.models, "baseline").named_steps["model"]
    key = "C" if task == "classification" else "alpha"
    assert getattr(baseline, key) == of(again, "baseline").registered.params[key]


def test_each_trial_is_a_child_run_of_one_tune_run(small):
    tune_candidates(small, progress=False)
    client = mlflow.MlflowClient(small.mlflow.tracking_uri)
    experiment = client.get_experiment_by_name(small.mlflow.experiment)
    assert experiment is not None
    runs = client.search_runs([experiment.experiment_id])
    parents = [run for run in runs if run.info.run_name == "tune"]
    assert len(parents) == 1
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parents[0].info.run_id]
    assert len(children) == 2 * 3 * 2  # candidates x fits x trials
    assert {(r.data.tags["candidate"], r.data.tags["fit"]) for r in children} == {
        (name, fit) for name in ("baseline", "mlp") for fit in ("fold1", "fold2", "all")
    }
    mlp = [r for r in children if r.data.tags["candidate"] == "mlp"]
    assert all({"lr", "hidden_sizes"} <= set(r.data.params) for r in mlp)
    finished = [r for r in children if r.data.tags["state"] == "complete"]
    assert finished
    assert all("val_log_loss" in r.data.metrics or "val_rmse" in r.data.metrics for r in finished)


def test_training_refuses_values_tuned_on_other_rows(small, params_copy, make_settings, tmp_path):
    tune_candidates(small, names=("baseline",), progress=False)
    moved = make_settings(tmp_path, params_copy(tmp_path, {**SMALL, "seed": 7}))
    prepare(moved)  # other splits, same tuned.yaml
    with pytest.raises(TuningError, match="tuned on other rows"):
        train_candidate(moved, "baseline", progress=False)
