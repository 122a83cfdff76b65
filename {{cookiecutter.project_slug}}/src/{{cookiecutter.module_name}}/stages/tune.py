"""The tune stage (`make tune`): an Optuna search per candidate and fit, into tuned.yaml.

Off `make train`'s path: dvc.yaml freezes it, `make tune` runs it and then records it with
`dvc commit`. The training stages depend on tuned.yaml, so the next `make train` retrains
what the search changed. Trials never see the rows that crown the champion nor the test
split: each fit's values are searched on that fit's own rows (see `fits`).
"""

from __future__ import annotations

import logging
from typing import cast

import mlflow
import numpy as np
import optuna
import pandas as pd
from optuna.trial import FrozenTrial, TrialState
from rich.progress import MofNCompleteColumn, Progress, TaskID

from ..config import Settings
from ..data.splits import load_splits
from ..features import feature_frame, targets
from ..fits import selection_fits
from ..models.baseline import UNUSED
from ..records import CANDIDATES, CandidateName, StageError
from ..schema import FeatureSchema
from ..search_space import Space
from ..stale_runs import owner_tags
from ..tasks import Target
from ..tracking import configure
from ..tuning.objective import Objective
from ..tuning.search import OnTrial, log_trial, search
from ..tuning.tuned import Tuned, TunedCandidate, read_tuned, rows_key, write_tuned

log = logging.getLogger(__name__)


def searched(settings: Settings, name: CandidateName, schema: FeatureSchema) -> Space:
    """Return the candidate's space, less the baseline keys that this task's model ignores."""
    ignored = UNUSED[schema.task] if name == "baseline" else frozenset()
    return {key: dim for key, dim in settings.tune.space(name).items() if key not in ignored}


def tune_candidates(
    settings: Settings, names: tuple[CandidateName, ...] = CANDIDATES, progress: bool = True
) -> Tuned:
    """Search each candidate's values on each of its fits; write and return tuned.yaml.

    Candidates not in `names` keep what tuned.yaml held for them.
    """
    splits, schema = load_splits(settings.paths.processed)
    pool = [splits["train"], splits["val"]]
    X = pd.concat([feature_frame(schema, frame) for frame in pool], ignore_index=True)
    y = cast(Target, np.concatenate([targets(frame, schema) for frame in pool]))
    spec = schema.spec
    fits = selection_fits(settings.selection, settings.seed, y, len(pool[0]), spec.stratified)
    try:  # the data stage checked it; params.yaml may have changed since
        metric = spec.resolve_champion(settings.mlflow.champion_metric)
    except ValueError as exc:
        raise StageError(str(exc)) from None
    rows = rows_key(X, y, fits)
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # trials show on the progress line
    tuned = read_tuned(settings.paths.tuned)
    configure(settings.mlflow)
    columns = [*Progress.get_default_columns(), MofNCompleteColumn()]
    with (
        mlflow.start_run(run_name="tune", tags=owner_tags()),
        Progress(*columns, disable=not progress) as bar,
    ):
        mlflow.log_params({"trials": settings.tune.trials, "timeout": settings.tune.timeout})
        for name in names:
            space = searched(settings, name, schema)
            if not space:
                log.warning("%s: nothing to search: tune.%s is empty", name, name)
                continue
            found = {}
            for fit in fits:
                task = bar.add_task(f"{name} {fit.key}", total=settings.tune.trials)
                objective = Objective(
                    name, settings, space, X.iloc[fit.rows], y[fit.rows], schema, metric
                )
                found[fit.key] = search(objective, fit.key, rows, [log_trial, _shown(bar, task)])
                best = found[fit.key]
                shown = f"best {metric} {best.score:.4g} of {best.trials} trials"
                log.info("%s %s: %s (%d pruned)", name, fit.key, shown, best.pruned)
            words = {key: dim.words() for key, dim in space.items()}
            result = TunedCandidate(metric=metric, rows=rows, space=words, fits=found)
            tuned = tuned.model_copy(update={name: result})
            mlflow.log_metric(f"{name}_best_{metric}", found[fits[-1].key].score)
    write_tuned(settings.paths.tuned, tuned)
    return tuned


def _shown(bar: Progress, task: TaskID) -> OnTrial:
    """Update a search's progress line after each trial with the best score so far."""

    def update(study: optuna.Study, trial: FrozenTrial) -> None:
        finished = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        best = f"{study.best_value:.4g}" if finished else "none yet"
        name, fit = study.user_attrs["candidate"], study.user_attrs["fit"]
        bar.update(task, advance=1, description=f"{name} {fit}: best {best}")

    return update
