"""A plain PyTorch training loop: one epoch, evaluation, early stopping, checkpoints.

Under torchrun the same loop trains with DistributedDataParallel, or with FSDP's shards
(`torch.strategy`): each process takes its share of every epoch, gradients are averaged,
and the scores that stop training are summed over all processes, so that they stop together.
"""

from __future__ import annotations

import copy
import io
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch
from rich.progress import Progress
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from ..files import write_atomic
from .distributed import all_sum, epoch_order, is_main, share, world_size
from .fsdp import full_state, shard, shard_shapes

log = logging.getLogger(__name__)

# A loss of the network's output and the targets: cross-entropy of class indices against
# one logit per class, or squared error of values against one output.
Loss = Callable[..., torch.Tensor]
Strategy = Literal["ddp", "fsdp"]  # `torch.strategy`: a copy of the model per process, or a shard


class TrainingError(ValueError):
    """Raised when the training settings can't work, naming the key in params.yaml."""


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
    order: torch.Tensor,
    loss_fn: Loss = nn.functional.cross_entropy,
) -> float:
    """Train on the rows of `order`, in that order and `batch_size` at a time; return the mean loss.

    The loss is averaged over all processes when there are several.
    """
    model.train()
    order = order.to(X.device)
    # Kept on the device: `.item()` per batch would wait for the GPU at every step.
    total = torch.zeros(2, dtype=torch.float64, device=X.device)
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(X[batch]), y[batch])
        loss.backward()  # type: ignore[no-untyped-call]
        optimizer.step()
        total[0] += loss.detach() * len(batch)
    total[1] = len(order)
    loss_sum, rows = all_sum(total).tolist()
    return float(loss_sum / rows)


@torch.no_grad()
def evaluate(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: Loss = nn.functional.cross_entropy
) -> dict[str, float]:
    """Return the loss on a whole split, and the accuracy when `y` holds class indices.

    Under DDP each process scores its share and the sums are added up.
    """
    model.eval()
    rows = share(len(X))
    output = model(X[rows])
    loss = loss_fn(output, y[rows], reduction="sum").double()
    classes = not y.is_floating_point()  # class indices; values have no accuracy
    hits = (output.argmax(dim=1) == y[rows]).sum().double() if classes else loss.new_zeros(())
    count = torch.tensor(len(output), dtype=torch.float64, device=X.device)
    loss_sum, correct_sum, total = all_sum(torch.stack([loss, hits, count])).tolist()
    scores = {"loss": loss_sum / total}
    if classes:
        scores["accuracy"] = correct_sum / total
    return scores


def save_checkpoint(
    path: Path, state: dict[str, torch.Tensor], config: dict[str, Any], epoch: int
) -> None:
    """Save the weights with the config that rebuilds the model, atomically."""
    buffer = io.BytesIO()
    torch.save({"config": config, "epoch": epoch, "state_dict": state}, buffer)
    write_atomic(path, buffer.getvalue())


def parallel(model: nn.Module, strategy: Strategy, device: torch.device) -> nn.Module:
    """Return the module that takes the training steps: the model, or its DDP or FSDP form."""
    if world_size() == 1:
        return model
    if strategy == "fsdp":
        sharded = shard(model, device)
        shapes = shard_shapes(sharded).items()
        found = ", ".join(f"{name} {local} of {whole}" for name, (whole, local) in shapes)
        log.info("fsdp: each of %d processes holds %s", world_size(), found)
        return sharded
    # DDP averages the gradients of the processes after each backward pass.
    return DistributedDataParallel(model)


def fit(
    model: nn.Module,
    train: tuple[torch.Tensor, torch.Tensor],
    val: tuple[torch.Tensor, torch.Tensor],
    *,
    loss_fn: Loss = nn.functional.cross_entropy,
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
    strategy: Strategy = "ddp",
) -> FitResult:
    """Train with AdamW until the validation loss stops improving; keep the best weights.

    `loss_fn` is cross-entropy over class indices, or squared error for values.
    `batch_size` is the global batch: under torchrun each process takes its share of it.
    `on_epoch` also gets the epoch's throughput (`samples_per_second`), which the history,
    meant to be reproducible, leaves out. `strategy`: how torchrun's processes share the
    model, a copy each (ddp) or a shard each (fsdp).
    """
    world = world_size()
    if batch_size % world:
        raise TrainingError(
            f"torch.batch_size: {batch_size} does not split evenly over {world} processes"
        )
    step_model = parallel(model, strategy, next(model.parameters()).device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    result = FitResult(best_epoch=0, best_val_loss=math.inf)
    best_state = copy.deepcopy(model.state_dict())
    rows = len(train[0])
    with Progress(disable=not (progress and is_main())) as bar:
        row = bar.add_task("training", total=epochs)
        for epoch in range(1, epochs + 1):
            started = time.perf_counter()
            order = epoch_order(rows, epoch, seed)
            train_loss = train_one_epoch(
                step_model, *train, optimizer, batch_size // world, order, loss_fn
            )
            speed = rows / (time.perf_counter() - started)
            scores = evaluate(model, *val, loss_fn)
            metrics = {"train_loss": train_loss, **{f"val_{k}": v for k, v in scores.items()}}
            result.history.append({"epoch": epoch, **metrics})
            if on_epoch is not None:
                on_epoch(epoch, {**metrics, "samples_per_second": speed})
            line = f"epoch {epoch} val_loss {scores['loss']:.4f} {speed:,.0f} samples/s"
            bar.update(row, advance=1, description=line)
            if not progress and is_main():
                log.info(line)
            if scores["loss"] < result.best_val_loss:
                result.best_epoch, result.best_val_loss = epoch, scores["loss"]
                best_state = copy.deepcopy(model.state_dict())
                if checkpoint is not None:
                    state = full_state(model)  # FSDP gathers it: every process takes part
                    if is_main():
                        save_checkpoint(checkpoint, state, config or {}, epoch)
            elif epoch - result.best_epoch >= patience:
                break
    model.load_state_dict(best_state)
    return result
