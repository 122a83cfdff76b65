"""Data-parallel training with PyTorch's own engine: torchrun starts the processes, DDP syncs them.

Outside torchrun every function here describes a world of one process, so the training loop
runs the same code with or without it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.distributed as dist


def launched() -> bool:
    """Whether torchrun started this process."""
    return dist.is_torchelastic_launched()


def rank() -> int:
    """Return this process's place in the process group; 0 outside torchrun."""
    return dist.get_rank() if dist.is_initialized() else 0


def world_size() -> int:
    """How many processes train together; 1 outside torchrun."""
    return dist.get_world_size() if dist.is_initialized() else 1


def is_main() -> bool:
    """Whether this process logs, writes checkpoints and registers the model (rank 0)."""
    return rank() == 0


def device_for(device: torch.device) -> torch.device:
    """Give each process of a CUDA job its own GPU: the one `process_group` selected."""
    if device.type == "cuda" and dist.is_initialized():
        return torch.device("cuda", torch.cuda.current_device())
    return device


@contextmanager
def process_group(device: torch.device) -> Iterator[None]:
    """Join torchrun's process group for the duration (nccl for CUDA, gloo otherwise)."""
    if not launched() or dist.is_initialized():
        yield
        return
    if device.type == "cuda":
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    try:
        yield
    finally:
        dist.destroy_process_group()


def all_sum(values: torch.Tensor) -> torch.Tensor:
    """Add `values` up across processes, in place; every process gets the total."""
    if dist.is_initialized():
        dist.all_reduce(values)
    return values


def epoch_order(n: int, epoch: int, seed: int) -> torch.Tensor:
    """Return this process's rows for one epoch, shuffled: each process takes its own shard.

    All processes draw the same permutation (seeded by `seed` and `epoch`) and process r
    takes positions r, r + world, ...; so with a per-process batch of B / world, step k of
    the job trains on the same B rows as step k of a single process with batch B. These are
    the indices of torch's `DistributedSampler` (a test holds them equal), made as a tensor:
    its list of Python ints costs a tenth of an epoch at a million rows.
    """
    world = world_size()
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed + epoch))
    padding = -n % world  # repeat a few rows so that every process takes as many steps
    if padding:
        order = torch.cat([order, order[:padding]])
    return order[rank() :: world]


def share(n: int) -> slice:
    """Return this process's rows of a split that is scored in parallel, not shuffled."""
    return slice(rank(), n, world_size())
