"""Saving a matplotlib figure as PNG, with the non-interactive backend that needs no display."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")  # must precede pyplot

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def save(fig: Figure, path: Path) -> Path:
    """Write the figure to `path` (folders made as needed) and close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png(fig))
    return path


def png(fig: Figure) -> bytes:
    """Render the figure as PNG bytes (to be written with other files at once) and close it."""
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()
