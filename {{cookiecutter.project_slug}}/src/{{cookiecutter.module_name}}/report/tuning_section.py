"""What the card and the README say of each candidate's hyperparameters: tuned, or as set."""

from __future__ import annotations

from .facts import RunFacts
from .tables import code


def _value(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def tuning_lines(runs: dict[str, RunFacts]) -> list[str]:
    """Write a line per candidate: the values `make tune` chose and how, or that none were."""
    lines = []
    for name, run in runs.items():
        if run.tuning:
            values = ", ".join(f"{code(key)} {_value(value)}" for key, value in run.tuned.items())
            lines.append(f"- {name}: {values}; {run.tuning}")
        else:
            lines.append(f"- {name}: params.yaml's values, not tuned (`make tune` searches them)")
    return lines


def tuning_section(runs: dict[str, RunFacts]) -> list[str]:
    """Write the card's section on hyperparameters."""
    return ["## Hyperparameters", "", *tuning_lines(runs), ""]
