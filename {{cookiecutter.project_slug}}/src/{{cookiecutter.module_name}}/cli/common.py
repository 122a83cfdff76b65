"""What every command shares: the consoles, the params option, one-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

# Only light imports up here: the serving image runs `serve` without pandas, sklearn or torch.
from ..config import DEFAULT_PARAMS, Settings, SettingsError, load_settings

console = Console(stderr=True, soft_wrap=True)  # logs and errors
results = Console(soft_wrap=True)  # what a command produced, on stdout
Params = Annotated[Path, typer.Option("--params", help="The params file to read.")]
__all__ = ["DEFAULT_PARAMS", "Params", "clean_errors", "console", "results", "settings_from"]


@contextmanager
def clean_errors(*more: type[Exception]) -> Iterator[None]:
    """Print errors caused by input (or `more` kinds) as one line and exit 1, no traceback."""
    kinds: tuple[type[Exception], ...] = (SettingsError, *more)
    try:
        yield
    except kinds as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None


def settings_from(params: Path) -> Settings:
    """Read params.yaml, or exit 1 naming the key at fault."""
    with clean_errors():
        return load_settings(params)
