"""Command line: `python -m <package> COMMAND`, one command per pipeline stage, plus serving."""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer
from rich.logging import RichHandler

from . import score_command, serving_commands, stage_commands, tune_command
from .common import console

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
PACKAGE = __name__.rpartition(".")[0]  # whose log lines the commands show


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """Train a baseline and a PyTorch model, track them in MLflow, serve the champion."""
    # Logging is configured here alone. Libraries say only what goes wrong (the exporter's
    # and the quantizer's notes are INFO); this package says what it does.
    logging.basicConfig(
        level=logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
    )
    # Under torchrun, rank 0 speaks for all processes; the others report only problems.
    quiet = os.environ.get("RANK", "0") != "0"
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    logging.getLogger(PACKAGE).setLevel(level)
    # The ONNX exporter warns on every call about optional packages (torchvision) we don't use.
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    # Optuna logs every trial; `tune` shows them as a progress line instead.
    logging.getLogger("optuna").setLevel(logging.WARNING)


for command in (
    stage_commands.data,
    stage_commands.train,
    tune_command.tune,
    stage_commands.promote,
    stage_commands.export,
    stage_commands.fairness,
    stage_commands.explain,
    stage_commands.evaluate,
    serving_commands.serve,
    serving_commands.predict,
    score_command.score,
):
    app.command()(command)
