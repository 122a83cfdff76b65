"""The PyTorch network: fully connected layers, one output per class or one value."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


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
