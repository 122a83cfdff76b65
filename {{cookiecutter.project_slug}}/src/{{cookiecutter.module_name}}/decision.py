"""How a classifier's probabilities become labels: the likeliest class, or a threshold.

Plain numpy: the evaluation, the threshold search and the export all read it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Decision:
    """How a classifier's probabilities become labels: the likeliest class, or a threshold.

    With two classes, `threshold` is the probability of the second class (the positive one,
    in sorted order) from which it is answered; None answers the likeliest class.
    """

    classes: tuple[str, ...]
    threshold: float | None = None

    def indices(self, proba: npt.NDArray[np.floating]) -> npt.NDArray[np.int64]:
        """Return the chosen class of each row, as a column index of `proba`."""
        if self.threshold is None:
            return np.asarray(proba.argmax(axis=1), dtype=np.int64)
        return (proba[:, 1] >= self.threshold).astype(np.int64)

    def labels(self, proba: npt.NDArray[np.floating]) -> npt.NDArray[np.str_]:
        """Return the chosen class of each row."""
        labels: npt.NDArray[np.str_] = np.asarray(self.classes)[self.indices(proba)]
        return labels
