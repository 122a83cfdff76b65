"""The fits that choose the champion: the rows each one learns from and is scored on.

Large tables: one fit on the training split, scored on the validation split. Small ones
(fewer than `selection.cv_below_rows` training and validation rows, where one validation
split is a handful of rows): a fit per fold of k-fold cross-validation over both splits,
the same folds for every candidate, then a refit on all of them that nothing scores. Rows
are positions in train + validation; the test split is never among them. `make tune`
searches each fit's values on that fit's rows alone, so its scores stay honest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import KFold, StratifiedKFold

from .sections import SelectionSettings
from .tasks import Target

Rows = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Fit:
    """One fit of a candidate: its name in tuned.yaml, what it learns from and is scored on."""

    key: str  # "train"; or "fold1" ... "fold<k>", then "all"
    rows: Rows  # the rows it learns from (and stops early on)
    held: Rows  # the rows that score it for the champion; none for the refit on all rows

    @property
    def scored(self) -> bool:
        """Whether its held-out rows score it for the champion (every fit but the refit)."""
        return len(self.held) > 0


def selection_fits(
    cfg: SelectionSettings, seed: int, y: Target, n_train: int, stratified: bool
) -> list[Fit]:
    """Return the fits for train + validation targets `y`, of which the first `n_train` train.

    The last fit is the one registered: the training split's, or the refit on all rows.
    """
    n = len(y)
    # Made whatever the size: the settings a stage reads don't depend on the table.
    splitter = (StratifiedKFold if stratified else KFold)(
        n_splits=cfg.folds, shuffle=True, random_state=seed
    )
    if n >= cfg.cv_below_rows:
        return [Fit("train", np.arange(n_train), np.arange(n_train, n))]
    folds = [
        Fit(f"fold{number}", fit, held)
        for number, (fit, held) in enumerate(splitter.split(np.zeros((n, 1)), y), start=1)
    ]
    return [*folds, Fit("all", np.arange(n), np.arange(0))]


def describe(fits: list[Fit]) -> str:
    """Say in words where the champion's scores come from."""
    scored = [fit for fit in fits if fit.scored]
    if len(scored) == 1:
        return f"the {len(scored[0].held)} rows of the validation split"
    rows = len(fits[-1].rows)
    return f"{len(scored)}-fold cross-validation over the {rows} training and validation rows"
