"""The two candidates: a scikit-learn baseline and a PyTorch MLP behind the same estimator API."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .config import BaselineSettings, TorchSettings
from .distributed import device_for
from .features import build_preprocessor
from .schema import FeatureSchema
from .training import fit, pick_device

# skops refuses to load types it doesn't know; these are the only ones our pipelines add.
SKOPS_TRUSTED_TYPES = ["numpy.dtype", f"{__name__}.MLPClassifier"]


def build_baseline(schema: FeatureSchema, cfg: BaselineSettings, seed: int) -> Pipeline:
    """Preprocessing followed by a logistic regression."""
    classifier = LogisticRegression(C=cfg.C, max_iter=cfg.max_iter, random_state=seed)
    return Pipeline([("preprocess", build_preprocessor(schema)), ("classifier", classifier)])


class MLP(nn.Module):
    """Fully connected layers with ReLU and dropout, ending in one logit per class."""

    def __init__(
        self, n_features: int, hidden_sizes: Sequence[int], n_classes: int, dropout: float = 0.0
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = n_features
        for size in hidden_sizes:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, n_classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return class logits."""
        return self.layers(x)  # type: ignore[no-any-return]


class MLPClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A scikit-learn classifier that trains an `MLP`, so a Pipeline can hold preprocessing and net.

    The trained weights are kept as numpy arrays: skops saves them without pickle.
    """

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
        cls, cfg: TorchSettings, seed: int, checkpoint: Path | None = None
    ) -> MLPClassifier:
        """Build an unfitted classifier from the `torch` section of params.yaml."""
        params = cfg.model_dump()
        params["hidden_sizes"] = tuple(params["hidden_sizes"])
        return cls(**params, seed=seed, checkpoint=None if checkpoint is None else str(checkpoint))

    def fit(
        self,
        X: npt.ArrayLike,
        y: npt.ArrayLike,
        X_val: npt.ArrayLike,
        y_val: npt.ArrayLike,
        on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    ) -> MLPClassifier:
        """Train on (X, y), stopping early on the validation loss of (X_val, y_val)."""
        self.__dict__.pop("_network", None)
        self.classes_, y_index = np.unique(np.asarray(y), return_inverse=True)
        y_val = np.asarray(y_val)
        unseen = set(np.unique(y_val)) - set(self.classes_)
        if unseen:
            raise ValueError(f"validation labels not seen in training: {sorted(unseen)}")
        self.n_features_in_ = np.asarray(X).shape[1]
        device = device_for(pick_device(self.device))
        torch.manual_seed(self.seed)
        model = MLP(self.n_features_in_, self.hidden_sizes, len(self.classes_), self.dropout)
        model.to(device)
        result = fit(
            model,
            (_tensor(X, device), torch.as_tensor(y_index, device=device)),
            (
                _tensor(X_val, device),
                torch.as_tensor(np.searchsorted(self.classes_, y_val), device=device),
            ),
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
            "n_features": self.n_features_in_,
            "hidden_sizes": list(self.hidden_sizes),
            "classes": self.classes_.tolist(),
            "dropout": self.dropout,
            "params": self.get_params(),
        }

    def network(self) -> MLP:
        """Rebuild the trained network on the CPU, in evaluation mode."""
        check_is_fitted(self)
        model = MLP(self.n_features_in_, self.hidden_sizes, len(self.classes_), self.dropout)
        model.load_state_dict({k: torch.from_numpy(v) for k, v in self.weights_.items()})
        return model.eval()

    def __getstate__(self) -> dict[str, Any]:
        # The cached network is rebuilt from `weights_`; only numpy arrays get saved.
        state: dict[str, Any] = super().__getstate__()
        state.pop("_network", None)
        return state

    def predict_proba(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Return class probabilities, columns in the order of `classes_`."""
        if "_network" not in self.__dict__:  # built once: serving calls this per request
            self._network = self.network()
        with torch.no_grad():
            logits = self._network(_tensor(X, torch.device("cpu")))
        # Softmax in float64 so each row sums to one within scikit-learn's tolerance.
        return torch.softmax(logits.double(), dim=1).numpy()

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[np.str_]:
        """Return the most likely class for each row."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]  # type: ignore[no-any-return]


def _tensor(X: npt.ArrayLike, device: torch.device) -> torch.Tensor:
    return torch.as_tensor(np.asarray(X, dtype=np.float32), device=device)
