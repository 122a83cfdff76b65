"""The `tune` section of params.yaml: what `make tune` searches for each candidate, how long.

A dimension is a range (`{low: 0.001, high: 100, log: true}`) or a list of choices
(`{choices: [[32], [64, 32]]}`) for one key of the candidate's section: `baseline` for the
baseline, `torch` for the MLP. Each end and choice is checked as that key's value here, so
that a typo or an impossible value fails before any trial runs, naming the key.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import (
    Field,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    ValidationError,
    model_validator,
)

from .sections import BaselineSettings, Section, TorchSettings

# The section of params.yaml whose keys each candidate's search sets.
SECTIONS: dict[str, tuple[str, type[Section]]] = {
    "baseline": ("baseline", BaselineSettings),
    "mlp": ("torch", TorchSettings),
}


class Range(Section):
    """Values from `low` to `high`: whole numbers for a whole-number key; `log`: a log scale."""

    low: float
    high: float
    log: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.log and self.low <= 0:
            raise ValueError(f"a log scale needs low above 0, not {self.low:g}")
        return self

    def values(self) -> list[Any]:
        """Return the values to check as the key's: both ends."""
        return [self.low, self.high]

    def words(self) -> str:
        """Say the range as the card shows it."""
        return f"{self.low:g} to {self.high:g}" + " (log scale)" * self.log


class Choices(Section):
    """One of a list of values: numbers, text, or lists such as hidden layer sizes."""

    choices: list[Any] = Field(min_length=1)

    def values(self) -> list[Any]:
        """Return the values to check as the key's: every choice."""
        return self.choices

    def words(self) -> str:
        """Say the choices as the card shows them."""
        return " or ".join(json.dumps(choice) for choice in self.choices)


Dimension = Range | Choices
Space = dict[str, Dimension]
BASELINE_SPACE: Space = {
    "C": Range(low=1e-3, high=1e2, log=True),
    "alpha": Range(low=1e-2, high=1e3, log=True),
}
MLP_SPACE: Space = {
    "hidden_sizes": Choices(choices=[[32], [64], [64, 32], [128, 64]]),
    "dropout": Range(low=0.0, high=0.5),
    "lr": Range(low=3e-4, high=3e-2, log=True),
    "weight_decay": Range(low=1e-6, high=1e-2, log=True),
    "batch_size": Choices(choices=[16, 32, 64, 128]),
}


class TuneSettings(Section):
    """`make tune`: an Optuna study per candidate and fit, its budget and its search space."""

    trials: PositiveInt = 20  # per search and per `make tune`: a second run adds as many
    timeout: PositiveFloat | None = 600  # seconds per search, at most; None: no limit
    storage: str = "sqlite:///optuna.db"  # the studies, so that `make tune` continues them
    prune_after: NonNegativeInt = 10  # epochs before a poor MLP trial may be stopped
    baseline: Space = Field(default_factory=lambda: dict(BASELINE_SPACE))
    mlp: Space = Field(default_factory=lambda: dict(MLP_SPACE))

    @model_validator(mode="after")
    def _values_fit_their_keys(self) -> TuneSettings:
        for name, (section, model) in SECTIONS.items():
            space: Space = getattr(self, name)
            for key, dimension in space.items():
                if key not in model.model_fields:
                    keys = ", ".join(model.model_fields)
                    raise ValueError(f"{name}.{key}: not a key of `{section}`; one of {keys}")
                for value in dimension.values():
                    try:
                        model.model_validate({key: value})
                    except ValidationError as exc:
                        why = exc.errors()[0]["msg"]
                        raise ValueError(f"{name}.{key}: {value!r} won't do: {why}") from None
        return self

    def space(self, name: str) -> Space:
        """Return the search space of candidate `name`."""
        found: Space = getattr(self, name)
        return found
