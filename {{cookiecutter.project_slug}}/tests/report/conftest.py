"""What the report tests read: the metrics the pipeline wrote, and Markdown tables."""

import json
import re
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def summary(trained) -> dict[str, Any]:
    """reports/metrics.json of the trained project, as JSON."""
    written: dict[str, Any] = json.loads(
        (trained.settings.paths.reports / "metrics.json").read_text()
    )
    return written


@pytest.fixture
def table_rows() -> Callable[[str], dict[str, list[str]]]:
    """Return a reader of the model rows of the first Markdown table in a text."""

    def read(text: str) -> dict[str, list[str]]:
        lines = text.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("| "))
        end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), None)
        rows = [line for line in lines[start:end] if "---" not in line]
        return {
            re.sub(r"[*]|\s*\(champion\)", "", cells[0]): cells[1:]
            for cells in ([c.strip() for c in row.strip("|").split("|")] for row in rows[1:])
        }

    return read
