"""A synthetic table for scale work: numbers and categories, missing values, a learnable target.

`data.source: synthetic` in params.yaml selects it; `data.synthetic` sets its size. Rows are
generated and written to Parquet chunk by chunk, so the table is never held twice in memory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from ..sections import SyntheticSettings

TARGET = "label"
LEVELS = 8  # values per categorical column
MISSING = 0.02  # share of missing values in each feature column
CHUNK_ROWS = 100_000
SIGNAL = 2.0  # standard deviation of each class score; the Gumbel noise's is about 1.3


def column_names(cfg: SyntheticSettings) -> tuple[list[str], list[str]]:
    """Names of the numeric and of the categorical columns."""
    numeric = [f"num_{i:02d}" for i in range(cfg.numeric_features)]
    categorical = [f"cat_{i:02d}" for i in range(cfg.categorical_features)]
    return numeric, categorical


def _chunk(
    rng: np.random.Generator,
    rows: int,
    weights: npt.NDArray[np.float32],
    effects: list[npt.NDArray[np.float32]],
    cfg: SyntheticSettings,
) -> pa.Table:
    """Generate `rows` rows: the class is the argmax of a linear score plus Gumbel noise."""
    numeric_names, categorical_names = column_names(cfg)
    X = rng.standard_normal((rows, cfg.numeric_features), dtype=np.float32)
    codes = rng.integers(0, LEVELS, size=(rows, cfg.categorical_features))
    score = X @ weights
    for j, effect in enumerate(effects):
        score += effect[codes[:, j]]
    # Scaled so that the signal stays as strong as the noise whatever the column count:
    # learnable, but no model gets every row right.
    score *= SIGNAL / np.sqrt(cfg.numeric_features + cfg.categorical_features)
    label = np.argmax(score + rng.gumbel(size=score.shape).astype(np.float32), axis=1)

    columns: dict[str, pa.Array] = {}
    for i, name in enumerate(numeric_names):
        columns[name] = pa.array(X[:, i], mask=rng.random(rows) < MISSING)
    for j, name in enumerate(categorical_names):
        values = np.char.add("v", codes[:, j].astype(str))
        columns[name] = pa.array(values, mask=rng.random(rows) < MISSING)
    columns[TARGET] = pa.array(np.char.add("class_", label.astype(str)))
    return pa.table(columns)


def generate(cfg: SyntheticSettings, path: Path) -> Path:
    """Write the table to a Parquet file; the same settings give the same bytes."""
    rng = np.random.default_rng(cfg.seed)
    weights = rng.standard_normal((cfg.numeric_features, cfg.classes)).astype(np.float32)
    effects = [
        rng.standard_normal((LEVELS, cfg.classes)).astype(np.float32)
        for _ in range(cfg.categorical_features)
    ]
    writer: pq.ParquetWriter | None = None
    try:
        for start in range(0, cfg.rows, CHUNK_ROWS):
            table = _chunk(rng, min(CHUNK_ROWS, cfg.rows - start), weights, effects, cfg)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return path
