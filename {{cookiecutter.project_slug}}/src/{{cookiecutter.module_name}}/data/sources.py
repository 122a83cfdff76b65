"""Where the raw table comes from: a built-in dataset, the synthetic table, a file or a URL."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
from palmerpenguins import load_penguins
from sklearn.datasets import load_diabetes
from sklego.datasets import load_arrests

from ..sections import SyntheticSettings
from . import DataError
from .synthetic import generate


def load_diabetes_progression() -> pd.DataFrame:
    """scikit-learn's diabetes table in its original units, with readable column names."""
    frame: pd.DataFrame = load_diabetes(as_frame=True, scaled=False).frame
    # The blood serum measurements s1..s6, as the dataset's description names them.
    names = {"s1": "tc", "s2": "ldl", "s3": "hdl", "s4": "tch", "s5": "ltg", "s6": "glu"}
    renamed: pd.DataFrame = frame.rename(columns={**names, "target": "progression"})
    return renamed


def load_toronto_arrests() -> pd.DataFrame:
    """Toronto Star's table of arrests for simple marijuana possession, as scikit-lego ships it."""
    frame: pd.DataFrame = load_arrests(as_frame=True)
    return frame


BUILTIN: dict[str, Callable[[], pd.DataFrame]] = {
    "penguins": load_penguins,  # classification: species
    "diabetes": load_diabetes_progression,  # regression: progression
    "arrests": load_toronto_arrests,  # classification: released, with a disparity by colour
}
SYNTHETIC = "synthetic"  # generated from `data.synthetic`


def load_source(source: str, synthetic: SyntheticSettings | None = None) -> pd.DataFrame:
    """Read `data.source`: a built-in dataset, `synthetic`, or a CSV/Parquet file path or URL."""
    if source in BUILTIN:
        return BUILTIN[source]()
    if source == SYNTHETIC:
        with tempfile.TemporaryDirectory() as tmp:
            path = generate(synthetic or SyntheticSettings(), Path(tmp) / "synthetic.parquet")
            return pd.read_parquet(path)
    is_url = urlparse(source).scheme in {"http", "https"}
    name = (urlparse(source).path if is_url else source).lower()
    if not is_url and not Path(source).is_file():
        raise DataError(
            f"data.source: {source!r} is neither a built-in dataset "
            f"({', '.join([*BUILTIN, SYNTHETIC])}) nor an existing file"
        )
    try:
        if name.endswith((".csv", ".csv.gz")):
            return pd.read_csv(source)
        if name.endswith((".parquet", ".pq")):
            return pd.read_parquet(source)
    except (OSError, ValueError) as exc:  # parser, decoding, Arrow and network errors
        raise DataError(f"data.source: cannot read {source!r}: {exc}") from exc
    raise DataError(f"data.source: {source!r} must end in .csv, .csv.gz, .parquet or .pq")
