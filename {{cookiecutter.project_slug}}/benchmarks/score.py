"""Scoring at every size, side by side: a file in chunks and a Dask cluster, against ONNX.

Builds `--rows` synthetic rows by drawing test rows with replacement, then times, on the
same rows: the served graph in-process on whole arrays (the ceiling), `score` on a Parquet
file and on a CSV file (read, checked, scored and written in chunks), and `score
--scheduler local` on the same rows in Parquet parts. Prints rows/s and the ratios.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from {{ cookiecutter.module_name }}.column_check import check_columns
from {{ cookiecutter.module_name }}.config import load_settings
from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.scoring.cluster import score_on_cluster
from {{ cookiecutter.module_name }}.scoring.files import score_file
from {{ cookiecutter.module_name }}.scoring.scorer import Scorer


def timed(call: Callable[[], object]) -> float:
    """Return the wall time of one call, in seconds."""
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> None:
    """Write the synthetic table, time each way of scoring it, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--parts", type=int, default=8, help="Parquet files for Dask")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    settings = load_settings(args.params)
    scorer = Scorer.load(settings.paths.serving)
    splits, schema = load_splits(settings.paths.processed)
    test = splits["test"][schema.names]
    picks = np.random.default_rng(0).integers(0, len(test), args.rows)
    table = pa.Table.from_pandas(test.iloc[picks].reset_index(drop=True), preserve_index=False)
    rows = args.rows
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pq.write_table(table, folder / "in.parquet")
        table.to_pandas().to_csv(folder / "in.csv", index=False)
        (folder / "parts").mkdir()
        size = -(-rows // args.parts)
        for i in range(args.parts):
            pq.write_table(table.slice(i * size, size), folder / "parts" / f"{i}.parquet")
        arrays = {n: table.column(n).to_numpy(zero_copy_only=False) for n in schema.names}
        columns = check_columns(schema, arrays)
        found = {
            "in-process ONNX, whole arrays": timed(lambda: scorer.model.decide_columns(columns)),
            "in-process, checked as the API does": timed(lambda: scorer.score(arrays)),
            "score, Parquet file": timed(
                lambda: score_file(
                    scorer, folder / "in.parquet", folder / "a.parquet", args.chunk_rows
                )
            ),
            "score, CSV file": timed(
                lambda: score_file(scorer, folder / "in.csv", folder / "b.parquet", args.chunk_rows)
            ),
            f"score --scheduler local ({args.workers} workers)": timed(
                lambda: score_on_cluster(
                    scorer,
                    settings.paths.serving,
                    folder / "parts",
                    folder / "c",
                    "local",
                    args.workers,
                )
            ),
        }
    ceiling = rows / found["in-process ONNX, whole arrays"]
    single = rows / found["score, Parquet file"]
    print(f"\nscoring {rows:,} rows, chunks of {args.chunk_rows:,}")
    print(f"{'how':<40}{'seconds':>9}{'rows/s':>12}{'of ONNX':>9}")
    for how, seconds in found.items():
        print(f"{how:<40}{seconds:>9.2f}{rows / seconds:>12,.0f}{rows / seconds / ceiling:>9.0%}")
    print(f"file scoring vs in-process ONNX: {single / ceiling:.0%}  (target >= 50%)")
    dask = rows / found[f"score --scheduler local ({args.workers} workers)"]
    print(f"Dask local vs single process: {dask / single:.2f}x (includes starting the cluster)")


if __name__ == "__main__":
    main()
