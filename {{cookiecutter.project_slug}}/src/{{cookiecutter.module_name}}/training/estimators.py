"""The MLP estimator of each task, on the base in `base_estimator`.

The classifier learns cross-entropy over class indices; the regressor, squared error on
the standardized target.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any, ClassVar, cast

import numpy as np
import numpy.typing as npt
import torch
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.class_weight import compute_class_weight
from torch import nn

from ..models.mlp import MLP
from ..schema import FeatureSchema
from ..sections import TorchSettings
from ..tasks import Task
from .base_estimator import MLPEstimator
from .loop import Loss

# skops refuses to load types it doesn't know; these are the only ones our pipelines add.
SKOPS_TRUSTED_TYPES = ["numpy.dtype", f"{__name__}.MLPClassifier", f"{__name__}.MLPRegressor"]


def build_mlp(
    schema: FeatureSchema,
    cfg: TorchSettings,
    seed: int,
    checkpoint: Path | None = None,
    class_weight: str | None = None,
) -> MLPClassifier | MLPRegressor:
    """Build an unfitted MLP for the schema's task from the `torch` section of params.yaml."""
    return ESTIMATORS[schema.task].from_settings(cfg, seed, checkpoint, class_weight)


class MLPClassifier(ClassifierMixin, MLPEstimator):  # type: ignore[misc]
    """The MLP with one logit per class, trained with cross-entropy."""

    task: ClassVar[Task] = "classification"
    loss: ClassVar[Loss] = nn.functional.cross_entropy

    def _targets(
        self, y: npt.ArrayLike, y_val: npt.ArrayLike
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any], int]:
        """Class indices in the order of `classes_`."""
        self.classes_, y_index = np.unique(np.asarray(y), return_inverse=True)
        y_val = np.asarray(y_val)
        unseen = set(np.unique(y_val)) - set(self.classes_)
        if unseen:
            raise ValueError(f"validation labels not seen in training: {sorted(unseen)}")
        return y_index, np.searchsorted(self.classes_, y_val), len(self.classes_)

    def _loss(self, targets: npt.NDArray[Any], device: torch.device) -> Loss:
        """Cross-entropy, each class weighted as scikit-learn's `class_weight` would."""
        if self.class_weight is None:
            return type(self).loss
        present = np.arange(len(self.classes_))
        weights = compute_class_weight(self.class_weight, classes=present, y=targets)
        weight = torch.as_tensor(weights, dtype=torch.float32, device=device)
        return partial(nn.functional.cross_entropy, weight=weight)

    def _config(self) -> dict[str, object]:
        return {**super()._config(), "classes": self.classes_.tolist()}

    def predict_proba(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Return class probabilities, columns in the order of `classes_`."""
        # Softmax in float64 so each row sums to one within scikit-learn's tolerance.
        return torch.softmax(self._forward(X), dim=1).numpy()

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[np.str_]:
        """Return the most likely class for each row."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]  # type: ignore[no-any-return]


class MLPRegressor(RegressorMixin, MLPEstimator):  # type: ignore[misc]
    """The MLP with one output, trained with squared error on the standardized target."""

    task: ClassVar[Task] = "regression"
    loss: ClassVar[Loss] = nn.functional.mse_loss

    def _targets(
        self, y: npt.ArrayLike, y_val: npt.ArrayLike
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any], int]:
        """Standardize the target with the training mean and spread, as one column."""
        y = np.asarray(y, dtype=np.float64)
        # Unit scale keeps the default learning rate sensible whatever the target's units.
        self.target_mean_, self.target_scale_ = float(y.mean()), float(y.std()) or 1.0
        train, val = (
            (np.asarray(v, dtype=np.float64) - self.target_mean_) / self.target_scale_
            for v in (y, y_val)
        )
        return train.astype(np.float32)[:, None], val.astype(np.float32)[:, None], 1

    def _config(self) -> dict[str, object]:
        return {
            **super()._config(),
            "target_mean": self.target_mean_,
            "target_scale": self.target_scale_,
        }

    def network(self) -> MLP:
        """Rebuild the trained network, predicting in the target's units.

        The standardization is folded into the last layer, so the network, its ONNX graph
        and `predict` all answer in the units of the data.
        """
        model = super().network()
        last = cast(nn.Linear, model.layers[-1])
        with torch.no_grad():
            last.weight.mul_(self.target_scale_)
            last.bias.mul_(self.target_scale_).add_(self.target_mean_)
        return model

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Return the predicted value for each row."""
        return self._forward(X)[:, 0].numpy()


ESTIMATORS: dict[Task, type[MLPClassifier] | type[MLPRegressor]] = {
    cls.task: cls for cls in (MLPClassifier, MLPRegressor)
}
