"""Score Parquet files on a Dask cluster: each partition by the graph, loaded once per worker.

`--scheduler local` starts a `LocalCluster` on this machine; an address such as
`tcp://10.0.0.5:8786` uses a running cluster, whose workers need this package installed
(`pip install .`). The bundle travels to each worker with the job and is checked there
against its checksums: workers need no copy of `models/`.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from distributed import Client, LocalCluster, WorkerPlugin, get_worker

from ..column_check import ColumnError
from .scorer import ScoreError, Scorer

PLUGIN = "scorer"


class ShipScorer(WorkerPlugin):
    """Carries the bundle's files to each worker and opens them there, once."""

    name = PLUGIN

    def __init__(self, bundle: Path) -> None:
        self.files = {path.name: path.read_bytes() for path in bundle.iterdir() if path.is_file()}
        self.scorer: Scorer | None = None

    def setup(self, worker: Any) -> None:
        """Write the files to the worker's disk and open the bundle (checksums checked)."""
        with tempfile.TemporaryDirectory() as folder:
            for name, content in self.files.items():
                (Path(folder) / name).write_bytes(content)
            self.scorer = Scorer.load(Path(folder))


def score_partition(
    frame: pd.DataFrame, partition_info: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Append the answers to one partition, with the worker's scorer."""
    plugin = cast(ShipScorer, get_worker().plugins[PLUGIN])
    scorer = plugin.scorer
    assert scorer is not None, "set up when the worker joined"
    try:
        answers = scorer.score(_arrays(frame, scorer.features))
    except ColumnError as exc:
        number = "?" if partition_info is None else partition_info["number"]
        raise ScoreError.of(f"partition {number}", exc) from None
    scored: pd.DataFrame = frame.assign(**_typed(answers))
    return scored


def _arrays(frame: pd.DataFrame, features: list[str]) -> dict[str, Any]:
    """Return the features' columns as numpy: NaN missing in numbers, None (not pd.NA) in text."""
    numeric = pd.api.types.is_numeric_dtype
    return {
        name: frame[name].to_numpy(dtype="float64", na_value=np.nan)
        if numeric(frame[name]) and not pd.api.types.is_bool_dtype(frame[name])
        else frame[name].astype(object).where(frame[name].notna(), None).to_numpy()
        for name in features
        if name in frame
    }


def _typed(answers: dict[str, Any]) -> dict[str, Any]:
    """Labels as pandas' text type: Dask's writer can't tell the type of an empty object column."""
    return {k: pd.array(v, dtype="string") if v.dtype == object else v for k, v in answers.items()}


def score_on_cluster(
    scorer: Scorer, bundle: Path, source: Path, target: Path, scheduler: str, workers: int
) -> int:
    """Score a Parquet file or folder into a folder of Parquet parts; return the rows."""
    import dask.dataframe as dd

    if not source.exists():
        raise ScoreError(f"{source}: not found")
    if target.exists():
        raise ScoreError(f"{target}: already exists; remove it or choose another folder")
    local = None
    if scheduler == "local":
        # distributed's constructors have no annotations
        local = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            dashboard_address=None,
        )
    partial = target.with_name(f".{target.name}.partial")
    try:
        with Client(local or scheduler) as client:  # type: ignore[no-untyped-call]
            client.register_plugin(ShipScorer(bundle))
            frame = dd.read_parquet(source)
            scorer.refuse_clashes(list(frame.columns), str(source))
            empty = frame._meta  # no rows: the columns and their types
            try:
                found = scorer.score(
                    {n: empty[n].to_numpy() for n in scorer.features if n in empty}
                )
            except ColumnError as exc:  # a missing feature
                raise ScoreError.of(str(source), exc) from None
            meta = empty.assign(**_typed(found))
            scored = frame.map_partitions(score_partition, meta=meta)
            scored.to_parquet(partial, write_index=False)
        rows: int = sum(pq.ParquetFile(p).metadata.num_rows for p in partial.glob("*.parquet"))
        partial.rename(target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
        if local is not None:
            local.close()
    return rows
