"""The MLP behind scikit-learn's estimator API, so that a Pipeline holds preprocessing and net.

`fit` trains with the loop of `training.loop`; the subclasses in `training.estimators` say
how the targets become tensors and which loss they learn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np
import numpy.typing as npt
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..models.mlp import MLP
from ..sections import TorchSettings
from ..tasks import Task
from .distributed import device_for
from .fsdp import full_state
from .loop import Loss, Strategy, fit, pick_device

_Estimator = TypeVar("_Estimator", bound="MLPEstimator")


class MLPEstimator(BaseEstimator):  # type: ignore[misc]
    """Train an `MLP` behind scikit-learn's API; a subclass per task.

    The trained weights are kept as numpy arrays: skops saves them without pickle.
    """

    task: ClassVar[Task]
    loss: ClassVar[Loss]

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
        class_weight: str | None = None,
        strategy: Strategy = "ddp",
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
        self.class_weight = class_weight  # "balanced", or None; classes only
        self.strategy = strategy  # under torchrun: a copy of the network per process, or a shard

    @classmethod
    def from_settings(
        cls: type[_Estimator],
        cfg: TorchSettings,
        seed: int,
        checkpoint: Path | None = None,
        class_weight: str | None = None,
    ) -> _Estimator:
        """Build an unfitted estimator from the `torch` section of params.yaml."""
        params = cfg.model_dump()
        params["hidden_sizes"] = tuple(params["hidden_sizes"])
        path = None if checkpoint is None else str(checkpoint)
        return cls(**params, seed=seed, checkpoint=path, class_weight=class_weight)

    def _targets(
        self, y: npt.ArrayLike, y_val: npt.ArrayLike
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any], int]:
        """Return the training and validation targets as the network learns them, and its width."""
        raise NotImplementedError

    def _loss(self, targets: npt.NDArray[Any], device: torch.device) -> Loss:
        """Return the loss to learn; the classifier weighs its classes when asked."""
        return type(self).loss

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
            loss_fn=self._loss(targets, device),
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
            strategy=self.strategy,
        )
        self.best_epoch_ = result.best_epoch
        self.history_ = result.history
        self.weights_ = {k: v.detach().cpu().numpy() for k, v in full_state(model).items()}
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


def _tensor(X: npt.ArrayLike, device: torch.device) -> torch.Tensor:
    return torch.as_tensor(np.asarray(X, dtype=np.float32), device=device)
