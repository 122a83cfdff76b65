"""A search: trials within the space, resumed from storage, scored on rows they never fit."""

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState

from {{ cookiecutter.module_name }}.evaluation.metrics import model_output
from {{ cookiecutter.module_name }}.search_space import Choices, Range
from {{ cookiecutter.module_name }}.training.candidates import fit_candidate
from {{ cookiecutter.module_name }}.tuning import objective as objective_module
from {{ cookiecutter.module_name }}.tuning.objective import Objective
from {{ cookiecutter.module_name }}.tuning.search import search, study_name


@pytest.fixture
def pool(prepared):
    X = pd.concat([prepared.X["train"], prepared.X["val"]], ignore_index=True)
    return X, np.concatenate([prepared.y["train"], prepared.y["val"]])


def small(settings, trials=3, **torch):
    tune = settings.tune.model_copy(update={"trials": trials, "timeout": None})
    net = settings.torch.model_copy(update={"epochs": 5, "patience": 50, **torch})
    return settings.model_copy(update={"tune": tune, "torch": net})


class AlwaysPrune(optuna.pruners.BasePruner):
    def prune(self, study, trial):
        return True


def test_a_search_stays_in_its_space_and_resumes_from_storage(penguin_settings, prepared, pool):
    settings = small(penguin_settings)
    space = {"C": Range(low=0.01, high=10, log=True)}
    objective = Objective(
        "baseline", settings, space, pool[0], pool[1], prepared.schema, "val_log_loss"
    )
    first = search(objective, "all", "rows-a")
    assert (first.trials, first.pruned) == (3, 0)
    assert 0.01 <= first.params["C"] <= 10
    assert 0 < first.score < np.log(3)  # better than a uniform guess over three species
    second = search(objective, "all", "rows-a")
    assert second.trials == 6
    assert second.score <= first.score  # the best of more trials
    study = optuna.load_study(
        study_name=study_name(objective, "all", "rows-a"), storage=settings.tune.storage
    )
    values = [trial.params["C"] for trial in study.trials]
    assert len(set(values)) == 6  # the second run drew new values
    other = search(objective, "all", "rows-b")  # other rows: a study of its own
    assert other.trials == 3


def test_trials_fit_and_score_disjoint_rows_of_their_fit_only(
    penguin_settings, prepared, pool, monkeypatch
):
    fitted, scored = [], []
    real_fit, real_output = fit_candidate, model_output

    def fit_spy(name, settings, X, y, *args, **kwargs):
        fitted.append(set(X.index))
        return real_fit(name, settings, X, y, *args, **kwargs)

    def output_spy(model, X, spec):
        scored.append(set(X.index))
        return real_output(model, X, spec)

    monkeypatch.setattr(objective_module, "fit_candidate", fit_spy)
    monkeypatch.setattr(objective_module, "model_output", output_spy)
    X, y = pool
    rows = np.arange(0, len(X), 2)  # a fit's rows: every other one
    space = {"C": Range(low=0.1, high=10)}
    objective = Objective(
        "baseline",
        small(penguin_settings),
        space,
        X.iloc[rows],
        y[rows],
        prepared.schema,
        "val_log_loss",
    )
    search(objective, "fold1", "rows")
    assert len(fitted) == len(scored) == 3
    for fit_rows, score_rows in zip(fitted, scored, strict=True):
        assert fit_rows | score_rows <= set(rows)
        assert not fit_rows & score_rows
        assert len(score_rows) == pytest.approx(
            penguin_settings.selection.stop_share * len(rows), abs=1
        )


def test_an_mlp_trial_reports_each_epoch_and_stops_when_pruned(penguin_settings, prepared, pool):
    settings = small(penguin_settings)
    space = {"lr": Range(low=0.001, high=0.01, log=True)}
    objective = Objective("mlp", settings, space, pool[0], pool[1], prepared.schema, "val_log_loss")
    pruned = optuna.create_study(pruner=AlwaysPrune())
    pruned.optimize(objective, n_trials=1)
    assert pruned.trials[0].state == TrialState.PRUNED
    assert list(pruned.trials[0].intermediate_values) == [1]  # stopped after its first epoch
    finished = optuna.create_study(pruner=optuna.pruners.NopPruner())
    finished.optimize(objective, n_trials=1)
    assert finished.trials[0].state == TrialState.COMPLETE
    assert list(finished.trials[0].intermediate_values) == [1, 2, 3, 4, 5]
    assert finished.trials[0].user_attrs["values"]["lr"] == finished.trials[0].params["lr"]


def test_choices_that_are_lists_come_back_as_lists(penguin_settings, prepared, pool):
    settings = small(penguin_settings, trials=2)
    space = {"hidden_sizes": Choices(choices=[[8], [16, 8]])}
    objective = Objective("mlp", settings, space, pool[0], pool[1], prepared.schema, "val_log_loss")
    found = search(objective, "all", "rows")
    assert found.params["hidden_sizes"] in ([8], [16, 8])
