"""The champion rule: the best candidate whose disparity on the selection rows is in bound.

`fairness.max_disparity` bounds the `fairness.constraint` difference, measured where the
selection scores are (each candidate's held-out outputs: the validation split, or out of
fold), so that the test split stays unseen until the report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..decision import Decision
from ..evaluation.slices import group_keys
from ..features import targets
from ..schema import FeatureSchema
from .disparity import difference


def selection_disparity(
    rows: pd.DataFrame,
    held: pd.DataFrame,
    schema: FeatureSchema,
    threshold: float | None,
    sensitive: list[str],
    constraint: str,
) -> float | None:
    """Return the largest `constraint` difference over the sensitive columns (None: undefined).

    `rows` are the train and validation rows that `held` (`output_<i>` columns) scored.
    """
    classes = tuple(schema.classes)
    output = held[[f"output_{i}" for i in range(len(classes))]].to_numpy()
    answered = Decision(classes, threshold).indices(output)
    truth = (np.asarray(targets(rows, schema)) == classes[1]).astype(np.int64)
    found = [difference(constraint, truth, answered, group_keys(rows[c])) for c in sensitive]
    defined = [value for value in found if not np.isnan(value)]
    return max(defined) if defined else None


@dataclass(frozen=True)
class Bounded:
    """The candidates that the champion is chosen from under the bound, and why, in words."""

    allowed: list[str]
    said: str  # the rule and each candidate's disparity, for the card
    short: str = ""  # no candidate meets the bound: a warning


def within_bound(disparity: dict[str, float | None], bound: float, constraint: str) -> Bounded:
    """Keep the candidates at most `bound`; if none is, the one with the smallest disparity."""
    name = constraint.replace("_", " ") + " difference"
    measured = ", ".join(
        f"the {c}'s {'undefined' if d is None else f'{d:.3f}'}" for c, d in disparity.items()
    )
    said = (
        f"Champion rule (`fairness.max_disparity` = {bound:g}): the best candidate whose "
        f"{name} on the selection rows is at most {bound:g}; measured there: {measured}."
    )
    allowed = [c for c, d in disparity.items() if d is not None and d <= bound]
    if allowed:
        return Bounded(allowed, said)
    measured_at = {c: np.inf if d is None else d for c, d in disparity.items()}
    smallest = min(measured_at, key=measured_at.__getitem__)
    short = (
        f"no candidate's {name} on the selection rows is at most {bound:g} "
        f"(`fairness.max_disparity`); the {smallest} has the smallest and is chosen"
    )
    return Bounded([smallest], said, short)
