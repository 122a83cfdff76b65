"""The two candidates: a scikit-learn baseline and a PyTorch MLP behind the same estimator API."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .config import BaselineSettings, TorchSettings
from .distributed import device_for
from .features import build_preprocessor
from .schema import FeatureSchema, Task
from .training import fit, pick_device

# skops refuses to load types it doesn't know; these are the only ones our pipelines add.
SKOPS_TRUSTED_TYPES = ["numpy.dtype", f"{__name__}.MLPClassifier", f"{__name__}.MLPRegressor"]


def build_baseline(schema: FeatureSchema, cfg: BaselineSettings, seed: int) -> Pipeline:
    """Preprocessing followed by a logistic regression, or a ridge regression for numbers."""
    model: BaseEstimator
    if schema.regression:
        model = Ridge(alpha=cfg.alpha)
    else:
        model = LogisticRegression(C=cfg.C, max_iter=cfg.max_iter, random_state=seed)
    return Pipeline([("preprocess", build_preprocessor(schema)), ("model", model)])


def build_mlp(
    schema: FeatureSchema, cfg: TorchSettings, seed: int, checkpoint: Path | None = None
) -> MLPClassifier | MLPRegressor:
    """Build an unfitted MLP for the schema's task from the `torch` section of params.yaml."""
    kind = MLPRegressor if schema.regression else MLPClassifier
    return kind.from_settings(cfg, seed, checkpoint)


class MLP(nn.Module):
    """Fully connected layers with ReLU and dropout: one output per class, or one value."""

    def __init__(
        self, n_features: int, hidden_sizes: Sequence[int], n_outputs: int, dropout: float = 0.0
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = n_features
        for size in hidden_sizes:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, n_outputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return class logits, or the predicted value."""
        return self.layers(x)  # type: ignore[no-any-return]


_Estimator = TypeVar("_Estimator", bound="_MLPEstimator")


class _MLPEstimator(BaseEstimator):  # type: ignore[misc]
    """Train an `MLP` behind scikit-learn's API, so that a Pipeline holds preprocessing and net.

    The trained weights are kept as numpy arrays: skops saves them without pickle.
    """

    task: Task

    def __init__(
        self,
        hidden_sizes: Sequence[int] = (64, 32),
        dropout: float = 0.1,
        epochs: int = 200,
        batch_size: int = 32,
        lr: float = 3e-3,
        weight_decay: float = 1e-4,
        patience: int = 15,
        device: str = "auto",
        seed: int = 42,
        checkpoint: str | None = None,
        progress: bool = True,
    ) -> None:
        self.hidden_sizes = hidden_sizes
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.patience = patience
        self.device = device
        self.seed = seed
        self.checkpoint = checkpoint
        self.progress = progress

    @classmethod
    def from_settings(
        cls: type[_Estimator], cfg: TorchSettings, seed: int, checkpoint: Path | None = None
    ) -> _Estimator:
        """Build an unfitted estimator from the `torch` section of params.yaml."""
        params = cfg.model_dump()
        params["hidden_sizes"] = tuple(params["hidden_sizes"])
        return cls(**params, seed=seed, checkpoint=None if checkpoint is None else str(checkpoint))

    def _targets(
        self, y: npt.ArrayLike, y_val: npt.ArrayLike
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any], int]:
        """Return the training and validation targets as the network learns them, and its width."""
        raise NotImplementedError

    def fit(
        self: _Estimator,
        X: npt.ArrayLike,
        y: npt.ArrayLike,
        X_val: npt.ArrayLike,
        y_val: npt.ArrayLike,
        on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    ) -> _Estimator:
        """Train on (X, y), stopping early on the validation loss of (X_val, y_val)."""
        self.__dict__.pop("_network", None)
        targets, val_targets, self.n_outputs_ = self._targets(y, y_val)
        self.n_features_in_ = np.asarray(X).shape[1]
        device = device_for(pick_device(self.device))
        torch.manual_seed(self.seed)
        model = MLP(self.n_features_in_, self.hidden_sizes, self.n_outputs_, self.dropout)
        model.to(device)
        result = fit(
            model,
            (_tensor(X, device), torch.as_tensor(targets, device=device)),
            (_tensor(X_val, device), torch.as_tensor(val_targets, device=device)),
            task=self.task,
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            weight_decay=self.weight_decay,
            patience=self.patience,
            seed=self.seed,
            checkpoint=None if self.checkpoint is None else Path(self.checkpoint),
            config=self._config(),
            on_epoch=on_epoch,
            progress=self.progress,
        )
        self.best_epoch_ = result.best_epoch
        self.history_ = result.history
        self.weights_ = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
        return self

    def _config(self) -> dict[str, object]:
        """Everything needed to rebuild the network from a checkpoint."""
        return {
            "task": self.task,
            "n_features": self.n_features_in_,
            "hidden_sizes": list(self.hidden_sizes),
            "n_outputs": self.n_outputs_,
            "dropout": self.dropout,
            "params": self.get_params(),
        }

    def network(self) -> MLP:
        """Rebuild the trained network on the CPU, in evaluation mode."""
        check_is_fitted(self)
        model = MLP(self.n_features_in_, self.hidden_sizes, self.n_outputs_, self.dropout)
        model.load_state_dict({k: torch.from_numpy(v) for k, v in self.weights_.items()})
        return model.eval()

    def __getstate__(self) -> dict[str, Any]:
        # The cached network is rebuilt from `weights_`; only numpy arrays get saved.
        state: dict[str, Any] = super().__getstate__()
        state.pop("_network", None)
        return state

    def _forward(self, X: npt.ArrayLike) -> torch.Tensor:
        """Run the network on X, in float64."""
        if "_network" not in self.__dict__:  # built once: serving calls this per request
            self._network = self.network()
        with torch.no_grad():
            return self._network(_tensor(X, torch.device("cpu"))).double()  # type: ignore[no-any-return]


class MLPClassifier(ClassifierMixin, _MLPEstimator):  # type: ignore[misc]
    """The MLP with one logit per class, trained with cross-entropy."""

    task: Task = "classification"

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

    def _config(self) -> dict[str, object]:
        return {**super()._config(), "classes": self.classes_.tolist()}

    def predict_proba(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Return class probabilities, columns in the order of `classes_`."""
        # Softmax in float64 so each row sums to one within scikit-learn's tolerance.
        return torch.softmax(self._forward(X), dim=1).numpy()

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[np.str_]:
        """Return the most likely class for each row."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]  # type: ignore[no-any-return]


class MLPRegressor(RegressorMixin, _MLPEstimator):  # type: ignore[misc]
    """The MLP with one output, trained with squared error on the standardized target."""

    task: Task = "regression"

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


def _tensor(X: npt.ArrayLike, device: torch.device) -> torch.Tensor:
    return torch.as_tensor(np.asarray(X, dtype=np.float32), device=device)
