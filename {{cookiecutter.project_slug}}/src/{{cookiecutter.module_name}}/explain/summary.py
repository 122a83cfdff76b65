"""The explain stage's result, typed: what `reports/explain/shap.json` holds."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel


class ShapSummary(BaseModel):
    """What `reports/explain/shap.json` holds; `rows` 0: nothing was explained."""

    model: str  # the candidate served
    rows: int  # test rows explained
    unseen: int = 0  # test rows left out: a category unseen in training, which the API refuses
    exact: bool  # every coalition evaluated, or permutations sampled
    mean_abs: dict[str, float] = {}  # by feature, largest first

    @classmethod
    def read(cls, path: Path) -> ShapSummary | None:
        """Read the explain stage's summary; None if the stage didn't run."""
        return cls.model_validate_json(path.read_text()) if path.is_file() else None
