"""What the training stages hand on through `models/`: a record of each candidate.

`train` writes `<name>.json` for each candidate (and `<name>.skops`, see `training.saved`),
`promote` writes `champion.json`; export and evaluate read them. A stage that runs too early
says what to run.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from .files import write_atomic
from .tasks import Task

CandidateName = Literal["baseline", "mlp"]
CANDIDATES: tuple[CandidateName, ...] = ("baseline", "mlp")
CHAMPION = "champion"  # the MLflow alias of the winner, and the name of its record


class StageError(RuntimeError):
    """Raised when a stage runs before the stage it needs, or its params don't fit the data."""


@dataclass
class Candidate:
    """One trained model as registered in MLflow: its version, run, scores and training rows."""

    name: str
    task: Task
    version: str
    run_id: str
    metrics: dict[str, float | None]  # selection scores (val_*); None: undefined on those rows
    train_rows: int
    selection: str = "the validation split"  # how the scores were made, in words
    selection_rows: int = 0  # the rows they come from
    spread: dict[str, float | None] = field(default_factory=dict)  # std over folds, if any
    threshold: float | None = None  # binary targets: the cut on P(positive); None: argmax
    floor: float | None = None  # the main metric's floor on the selection rows
    tuned: dict[str, Any] = field(default_factory=dict)  # values from tuned.yaml, if any
    tuning: str = ""  # how they were searched, in words; empty: params.yaml's values


@dataclass
class Champion(Candidate):
    """The promotion's winner, and whether @champion moved to it (`mlflow.floor_margin`)."""

    promoted: bool = True
    served: str = ""  # the version that @champion names now: the winner's, or the previous
    reason: str = ""  # why it was not promoted, as a sentence for the card
    rule: str = ""  # `fairness.max_disparity`: the bound and what each candidate measured


def save_candidate(models: Path, candidate: Candidate, as_name: str | None = None) -> None:
    """Write a candidate's record (as `as_name`: the champion's record is a copy of one)."""
    path = models / f"{as_name or candidate.name}.json"
    write_atomic(path, json.dumps(asdict(candidate), indent=2) + "\n")


def load_candidate(models: Path, name: str) -> Candidate:
    """Read a record that the training stage wrote."""
    return Candidate(**_read(models / f"{name}.json"))


def load_champion(models: Path) -> Champion:
    """Read the record that the promotion stage wrote."""
    return Champion(**_read(models / f"{CHAMPION}.json"))


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise StageError(f"{path} not found: run `make train` first")
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return found
