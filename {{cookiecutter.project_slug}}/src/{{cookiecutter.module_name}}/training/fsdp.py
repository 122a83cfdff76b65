"""Fully sharded data parallel (FSDP2): each process keeps a shard of the model, not a copy.

DDP gives every process the whole model, its gradients and its optimizer state. FSDP splits
all three along each parameter's first dimension: a forward or backward pass gathers the
parameters it needs, and gradients are reduce-scattered back into shards. That is for
models too big for one device; on this MLP it shows the mechanics, not a saving. The mesh is
given explicitly: torch's default is a CUDA mesh whenever CUDA exists, which fails with
gloo, the CPU processes' backend, on a GPU host.
"""

from __future__ import annotations

from typing import cast

import torch
from torch import nn
from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import FSDPModule, fully_shard

from .distributed import world_size


def shard(model: nn.Module, device: torch.device) -> nn.Module:
    """Shard the model's parameters over the processes, in place; return it."""
    fully_shard(model, mesh=init_device_mesh(device.type, (world_size(),)))
    return model


def full_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """Return the whole model's weights: a sharded model gathers them (every process must call)."""
    if not isinstance(model, FSDPModule):
        return model.state_dict()
    options = StateDictOptions(full_state_dict=True)
    return cast(dict[str, torch.Tensor], get_model_state_dict(model, options=options))


def shard_shapes(model: nn.Module) -> dict[str, tuple[list[int], list[int]]]:
    """Each parameter's shape in the whole model and in this process's shard."""
    return {
        name: (list(param.shape), list(param.to_local().shape))  # type: ignore[attr-defined]
        for name, param in model.named_parameters()
    }
