"""One Optuna study: a candidate's values searched on one fit's rows, kept in `tune.storage`.

The study's name carries a fingerprint of everything its trials depend on (the rows, the
space, the candidate's other settings, the metric, the seed): a second `make tune` adds
trials to the same study, and a changed setting starts a new one rather than mix scores
that can't be compared. Each finished trial is an MLflow run under the tune run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import mlflow
import optuna
from optuna.pruners import MedianPruner
from optuna.samplers import TPESampler
from optuna.trial import FrozenTrial, TrialState

from ..metric_names import greater_is_better
from ..search_space import SECTIONS
from .objective import VALUES, Objective
from .tuned import TunedFit, TuningError

OnTrial = Callable[[optuna.Study, FrozenTrial], None]
PRUNE_FROM_TRIAL = 5  # trials that always finish, before the median rule may stop any


def study_name(objective: Objective, fit: str, rows: str) -> str:
    """Name a study by candidate, fit and a fingerprint of what its scores depend on."""
    settings, section = objective.settings, SECTIONS[objective.name][0]
    fixed = getattr(settings, section).model_dump(mode="json", exclude=set(objective.space))
    depends = {
        "rows": rows,
        "space": {key: dim.model_dump() for key, dim in objective.space.items()},
        section: fixed,  # the values the search leaves as params.yaml sets them
        "imbalance": settings.imbalance.model_dump(mode="json"),
        "selection": settings.selection.model_dump(mode="json"),
        "main_metric": settings.evaluation.main_metric,
        "metric": objective.metric,
        "seed": settings.seed,
    }
    digest = hashlib.sha256(json.dumps(depends, sort_keys=True).encode()).hexdigest()
    return f"{objective.name}-{fit}-{digest[:10]}"


def log_trial(study: optuna.Study, trial: FrozenTrial) -> None:
    """Record a finished trial as an MLflow run under the active (tune) run."""
    name, fit = study.user_attrs["candidate"], study.user_attrs["fit"]
    with mlflow.start_run(run_name=f"{name} {fit} trial {trial.number}", nested=True):
        mlflow.set_tags({"candidate": name, "fit": fit, "state": trial.state.name.lower()})
        mlflow.log_params(trial.user_attrs.get(VALUES, {}))
        if trial.value is not None:
            mlflow.log_metric(study.user_attrs["metric"], trial.value)
        if trial.intermediate_values:  # an MLP trial: the epoch it reached
            mlflow.log_metric("epochs", max(trial.intermediate_values))


def search(
    objective: Objective, fit: str, rows: str, on_trial: list[OnTrial] | None = None
) -> TunedFit:
    """Run `tune.trials` more trials (within `tune.timeout`); return the best of all so far."""
    cfg, name = objective.settings.tune, objective.name
    maximize = greater_is_better(objective.metric)
    study = optuna.create_study(
        storage=cfg.storage,
        study_name=study_name(objective, fit, rows),
        direction="maximize" if maximize else "minimize",
        load_if_exists=True,
        pruner=MedianPruner(n_startup_trials=PRUNE_FROM_TRIAL, n_warmup_steps=cfg.prune_after),
    )
    # Seeded by the trials so far, so that a second `make tune` draws new values, reproducibly.
    study.sampler = TPESampler(seed=objective.settings.seed + len(study.trials))
    for key, value in {"candidate": name, "fit": fit, "metric": objective.metric}.items():
        study.set_user_attr(key, value)
    study.optimize(objective, n_trials=cfg.trials, timeout=cfg.timeout, callbacks=on_trial)
    done = study.get_trials(deepcopy=False, states=[TrialState.COMPLETE])
    pruned = study.get_trials(deepcopy=False, states=[TrialState.PRUNED])
    if not done:
        raise TuningError(
            f"tune: no {name} trial on fit {fit!r} finished ({len(pruned)} pruned, "
            f"{len(study.trials) - len(pruned)} failed or stopped): raise tune.trials or "
            "tune.timeout, or tune.prune_after"
        )
    best = study.best_trial
    return TunedFit(
        params=best.user_attrs[VALUES],
        score=float(best.value),  # type: ignore[arg-type]
        trials=len(done) + len(pruned),
        pruned=len(pruned),
    )
