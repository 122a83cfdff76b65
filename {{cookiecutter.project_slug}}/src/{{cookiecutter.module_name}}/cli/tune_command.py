"""`tune`: the hyperparameter search of `make tune`, off the default pipeline's path."""

from __future__ import annotations

from typing import Annotated, cast

import typer

from .common import DEFAULT_PARAMS, Params, clean_errors, console, results, settings_from


def tune(
    params: Params = DEFAULT_PARAMS,
    model: Annotated[
        str, typer.Option(help="baseline or mlp: search that one only; all: both.")
    ] = "all",
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Search both models' hyperparameters with Optuna; `make train` then uses the best."""
    from ..data import DataError
    from ..records import CANDIDATES, CandidateName, StageError
    from ..stages.tune import tune_candidates
    from ..training.loop import TrainingError
    from ..tuning.tuned import TuningError

    settings = settings_from(params)
    if model not in (*CANDIDATES, "all"):
        console.print(f"[bold red]error:[/] --model: {model!r} is not baseline, mlp or all")
        raise typer.Exit(2)
    names = CANDIDATES if model == "all" else (cast(CandidateName, model),)
    with clean_errors(DataError, StageError, TrainingError, TuningError):
        tuned = tune_candidates(settings, names, progress)
    for name in names:
        found = tuned.of(name)
        if found is not None:
            best = found.registered
            values = ", ".join(f"{key}={_value(value)}" for key, value in best.params.items())
            results.print(
                f"{name:>8}: {found.metric} {best.score:.4g}, {best.trials} trials: {values}"
            )
    results.print(f"tuned values: {settings.paths.tuned} (make train uses them)")


def _value(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
