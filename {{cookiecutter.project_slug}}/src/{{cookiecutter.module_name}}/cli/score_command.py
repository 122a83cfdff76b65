"""`score`: a file of rows in, the same rows with their answers out, as the API answers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from .common import DEFAULT_PARAMS, Params, clean_errors, console, results, settings_from


def score(
    source: Annotated[
        Path,
        typer.Argument(
            help="A .csv or .parquet file (with --scheduler: Parquet, a file or a folder)."
        ),
    ],
    target: Annotated[
        Path, typer.Argument(help="The .parquet file to write (with --scheduler: a folder).")
    ],
    params: Params = DEFAULT_PARAMS,
    bundle: Annotated[
        Path | None, typer.Option(help="An exported bundle; default: paths.serving.")
    ] = None,
    chunk_rows: Annotated[
        int, typer.Option(min=1, help="Rows read, scored and written at a time.")
    ] = 100_000,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Score on Dask: `local`, or a scheduler address such as tcp://10.0.0.5:8786."
        ),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Workers of `--scheduler local`.")] = 2,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Score a table with the served model: the API's checks, in chunks, never half-written."""
    from rich.progress import Progress

    from ..bundle import BundleError
    from ..scoring.files import score_file
    from ..scoring.scorer import ScoreError, Scorer

    settings = settings_from(params)
    folder = bundle or settings.paths.serving
    with clean_errors(BundleError, ScoreError):
        scorer = Scorer.load(folder)
        if scheduler is not None:
            # Dask logs each step of a cluster's life, in every process; errors are enough.
            os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
            from ..scoring.cluster import score_on_cluster

            rows = score_on_cluster(scorer, folder, source, target, scheduler, workers)
        else:
            with Progress(console=console, disable=not progress, transient=True) as bar:
                task = bar.add_task(f"scoring {source.name}", total=None)
                rows = score_file(
                    scorer,
                    source,
                    target,
                    chunk_rows,
                    lambda done, total: bar.update(task, completed=done, total=total),
                )
    results.print(f"scored {rows:,} rows of {source} into {target}", highlight=False)
