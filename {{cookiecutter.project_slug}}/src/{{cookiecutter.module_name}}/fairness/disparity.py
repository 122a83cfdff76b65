"""Demographic parity and equalized odds differences (fairlearn's), with bootstrap intervals.

Both read a confusion matrix per group: one bincount per resample makes a thousand of
them take a second, where calling fairlearn a thousand times takes a minute. The point
values are fairlearn's; a test holds the counts to them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

from ..evaluation.summary import Interval
from .summary import Disparity

DISPARITIES = ("demographic_parity", "equalized_odds")
POINT = {
    "demographic_parity": demographic_parity_difference,
    "equalized_odds": equalized_odds_difference,
}
Counts = npt.NDArray[np.int64]  # groups x true (0, 1) x answered (0, 1)


def difference(
    name: str, truth: npt.NDArray[np.int64], answered: npt.NDArray[np.int64], groups: Any
) -> float:
    """Return one difference between the groups, as fairlearn computes it (NaN: undefined)."""
    found: float = POINT[name](truth, answered, sensitive_features=groups)
    return float(found)


def from_counts(counts: Counts) -> dict[str, float]:
    """Both differences from per-group confusion counts; NaN where no group pair defines one."""
    with np.errstate(invalid="ignore", divide="ignore"):
        selection = counts[:, :, 1].sum(axis=1) / counts.sum(axis=(1, 2))
        tpr = counts[:, 1, 1] / counts[:, 1].sum(axis=1)
        fpr = counts[:, 0, 1] / counts[:, 0].sum(axis=1)

    def spread(rates: npt.NDArray[np.float64]) -> float:
        seen = rates[~np.isnan(rates)]
        return float(seen.max() - seen.min()) if len(seen) > 1 else float("nan")

    return {
        "demographic_parity": spread(selection),
        "equalized_odds": max(spread(tpr), spread(fpr)),
    }


def disparities(
    truth: npt.NDArray[np.int64],
    answered: npt.NDArray[np.int64],
    groups: pd.Series,
    n_resamples: int,
    seed: int,
) -> dict[str, Disparity]:
    """Both differences between the groups (0/1 truth and answers) with 95% intervals."""
    point = {name: difference(name, truth, answered, groups) for name in DISPARITIES}
    codes = pd.Categorical(groups).codes.astype(np.int64)
    k = int(codes.max()) + 1
    cells = codes * 4 + truth * 2 + answered
    rng = np.random.default_rng(seed)
    found: dict[str, list[float]] = {name: [] for name in DISPARITIES}
    for _ in range(n_resamples):
        rows = rng.integers(0, len(cells), len(cells))
        counts = np.bincount(cells[rows], minlength=k * 4).reshape(k, 2, 2)
        for name, value in from_counts(counts).items():
            if not np.isnan(value):
                found[name].append(value)
    return {name: _with_interval(point[name], found[name]) for name in DISPARITIES}


def _with_interval(value: float, resampled: list[float]) -> Disparity:
    interval = Interval(low=None, high=None)
    if resampled:
        low, high = np.percentile(resampled, [2.5, 97.5])
        interval = Interval(low=float(low), high=float(high))
    return Disparity(value=None if np.isnan(value) else float(value), interval=interval)
