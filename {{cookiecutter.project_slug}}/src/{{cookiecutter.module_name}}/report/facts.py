"""What the model card says beyond the scores, gathered by the evaluate stage."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class RunFacts(BaseModel):
    """A candidate's MLflow run, as the card's reproduction section lists it."""

    run_id: str
    version: str
    train_rows: int
    params: dict[str, str]
    score: float | None  # its score on the champion metric, where the champion was chosen
    spread: float | None = None  # its standard deviation over the folds, if there were folds
    tuned: dict[str, Any] = {}  # the values `make tune` chose (`records.Candidate.tuned`)
    tuning: str = ""  # how, in words; empty: params.yaml's values


class CardFacts(BaseModel):
    """What the card says beyond the test scores: the data, the settings, the runs."""

    registered_model: str
    champion_metric: str
    selection: str  # how its score was made: "the 69 rows of the validation split"
    decision: str = ""  # how it answers: the likeliest class, or a threshold (`report.decision`)
    source: str
    rows: dict[str, int]  # by split
    class_balance: dict[str, int]  # training rows per class; empty for values
    missing: dict[str, int]  # missing values per feature, over all splits
    bootstrap: int
    min_slice_size: int
    seed: int
    git_commit: str | None
    runs: dict[str, RunFacts]
