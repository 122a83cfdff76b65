"""Where the raw table comes from: a built-in dataset, the synthetic table, a file or a URL.

Files are read only from `paths.raw` (unless `data.allow_outside`), URLs are fetched into
it: DVC watches that folder, so a changed table reruns the data step. Header names are
checked before pandas reads them, since it would rename duplicates (`a.1`) and fill blanks
(`Unnamed: 4`): names that would become the API's keys without anyone having written them.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pyarrow.parquet as pq
from palmerpenguins import load_penguins
from sklearn.datasets import load_diabetes
from sklego.datasets import load_arrests

from ..sections import DataSettings, SyntheticSettings
from . import DataError
from .download import download
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
DOWNLOADS = "downloads"  # the folder of `paths.raw` that URLs are fetched into
CSV, PARQUET = (".csv", ".csv.gz"), (".parquet", ".pq")


def ingest(cfg: DataSettings, raw: Path) -> pd.DataFrame:
    """Read `data.source` as the data step does.

    A URL is fetched into `raw`, a file read from it; a file elsewhere only with
    `data.allow_outside`.
    """
    source = cfg.source
    if source in BUILTIN or source == SYNTHETIC:
        return load_source(source, cfg.synthetic)
    if urlsplit(source).scheme in {"http", "https"}:
        _check_suffix(urlsplit(source).path, source)  # before fetching what can't be read
        return read_table(download(source, raw / DOWNLOADS, cfg.download))
    path = _existing(source)
    # abspath, not resolve: ".." can't climb out, while a link put in the folder is the
    # user's choice, and DVC hashes what it points to.
    inside = Path(os.path.abspath(path)).is_relative_to(os.path.abspath(raw))
    if not (inside or cfg.allow_outside):
        raise DataError(
            f"data.source: {source!r} is outside {raw}/, which DVC watches: a change to it "
            f"would rerun nothing. Copy it into {raw}/, give its URL, or set "
            "data.allow_outside: true to read it where it is"
        )
    return read_table(path)


def load_source(source: str, synthetic: SyntheticSettings | None = None) -> pd.DataFrame:
    """Read a built-in dataset, `synthetic`, or a CSV/Parquet file wherever it is."""
    if source in BUILTIN:
        return BUILTIN[source]()
    if source == SYNTHETIC:
        with tempfile.TemporaryDirectory() as tmp:
            path = generate(synthetic or SyntheticSettings(), Path(tmp) / "synthetic.parquet")
            return pd.read_parquet(path)
    return read_table(_existing(source))


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or Parquet file, refusing a header that pandas would rename."""
    _check_suffix(path.name, str(path))
    csv = path.name.lower().endswith(CSV)
    try:
        if csv:  # the header row as written: no renaming, blanks as ""
            header = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False)
            names = [str(name) for name in header.iloc[0]] if len(header) else []
        else:  # pandas keeps a saved index under this name and restores it: no column
            names = [n for n in pq.read_schema(path).names if not n.startswith("__index_level_")]
    except (OSError, ValueError) as exc:  # parser, decoding and Arrow errors
        raise DataError(f"data.source: cannot read {str(path)!r}: {exc}") from exc
    check_header(names, str(path))
    try:
        return pd.read_csv(path) if csv else pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"data.source: cannot read {str(path)!r}: {exc}") from exc


def check_header(names: Sequence[str], file: str) -> None:
    """Fail naming the file and the columns whose names are blank, repeated or hold NUL."""
    blank = [i for i, name in enumerate(names, 1) if not name.strip()]
    if blank:
        raise DataError(
            f"data.source: {file!r}: column {', '.join(map(str, blank))} of the header has no "
            "name (pandas would call it 'Unnamed: ...'); name it, or remove it if it is a "
            "saved index"
        )
    repeated = {name: n for name, n in Counter(names).items() if n > 1}
    if repeated:
        listed = ", ".join(f"{name!r} ({n} times)" for name, n in repeated.items())
        raise DataError(
            f"data.source: {file!r}: the header repeats {listed} (pandas would rename the "
            "copies 'name.1', ...); give each column a name of its own"
        )
    nul = [i for i, name in enumerate(names, 1) if "\x00" in name]
    if nul:
        raise DataError(
            f"data.source: {file!r}: the name of column {nul[0]} holds a NUL byte: "
            "is the file binary, or not UTF-8?"
        )


def _existing(source: str) -> Path:
    if not Path(source).is_file():
        raise DataError(
            f"data.source: {source!r} is neither a built-in dataset "
            f"({', '.join([*BUILTIN, SYNTHETIC])}), an http(s) URL nor an existing file"
        )
    return Path(source)


def _check_suffix(name: str, source: str) -> None:
    if not name.lower().endswith(CSV + PARQUET):
        raise DataError(f"data.source: {source!r} must end in .csv, .csv.gz, .parquet or .pq")
