"""A plain PyTorch training loop: one epoch, evaluation, early stopping, checkpoints."""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from rich.progress import Progress
from torch import nn


@dataclass
class FitResult:
    """What `fit` learned: the best epoch, its validation loss and the per-epoch history."""

    best_epoch: int
    best_val_loss: float
    history: list[dict[str, float]] = field(default_factory=list)


def pick_device(name: str) -> torch.device:
    """Resolve `auto` to CUDA, then Apple's MPS, then the CPU."""
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def train_one_epoch(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    batch_size: int,
    generator: torch.Generator,
) -> float:
    """Run one shuffled pass over in-memory tensors; return the mean training loss."""
    model.train()
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(len(X), generator=generator).to(X.device)
    total = 0.0
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(X[batch]), y[batch])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch)
    return total / len(X)


@torch.no_grad()
def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    """Return the loss and accuracy of `model` on a whole split."""
    model.eval()
    logits = model(X)
    return {
        "loss": nn.functional.cross_entropy(logits, y).item(),
        "accuracy": (logits.argmax(dim=1) == y).float().mean().item(),
    }


def save_checkpoint(path: Path, model: nn.Module, config: dict[str, Any], epoch: int) -> None:
    """Save the weights with the config that rebuilds the model, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"config": config, "epoch": epoch, "state_dict": model.state_dict()}, tmp)
    os.replace(tmp, path)


def fit(
    model: nn.Module,
    train: tuple[torch.Tensor, torch.Tensor],
    val: tuple[torch.Tensor, torch.Tensor],
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    weight_decay: float,
    patience: int,
    seed: int,
    checkpoint: Path | None = None,
    config: dict[str, Any] | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    progress: bool = True,
) -> FitResult:
    """Train with AdamW until the validation loss stops improving; keep the best weights."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    generator = torch.Generator().manual_seed(seed)
    result = FitResult(best_epoch=0, best_val_loss=math.inf)
    best_state = copy.deepcopy(model.state_dict())
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("training", total=epochs)
        for epoch in range(1, epochs + 1):
            train_loss = train_one_epoch(model, *train, optimizer, batch_size, generator)
            scores = evaluate(model, *val)
            metrics = {
                "train_loss": train_loss,
                "val_loss": scores["loss"],
                "val_accuracy": scores["accuracy"],
            }
            result.history.append({"epoch": epoch, **metrics})
            if on_epoch is not None:
                on_epoch(epoch, metrics)
            bar.update(task, advance=1, description=f"epoch {epoch} val_loss {scores['loss']:.4f}")
            if scores["loss"] < result.best_val_loss:
                result.best_epoch, result.best_val_loss = epoch, scores["loss"]
                best_state = copy.deepcopy(model.state_dict())
                if checkpoint is not None:
                    save_checkpoint(checkpoint, model, config or {}, epoch)
            elif epoch - result.best_epoch >= patience:
                break
    model.load_state_dict(best_state)
    return result
