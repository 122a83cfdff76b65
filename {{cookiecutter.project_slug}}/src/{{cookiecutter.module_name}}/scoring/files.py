"""Score a CSV or Parquet file into a Parquet file, a chunk of rows at a time.

Memory holds one chunk, not the file. The output is the input's columns with the answers
appended. It is written beside its target and renamed into place at the end: a file that
fails, or a run that is stopped, leaves no output and an older one untouched. A bad value
refuses the whole file, naming its column and row (counted from 1, as in a spreadsheet
without its header): scores of some rows only would be easy to mistake for all of them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ..column_check import ColumnError
from .scorer import ScoreError, Scorer

READS = (".csv", ".parquet")


def score_file(
    scorer: Scorer,
    source: Path,
    target: Path,
    chunk_rows: int,
    progress: Callable[[int, int | None], None] = lambda done, total: None,
) -> int:
    """Score every row of `source` into `target`; return the number of rows."""
    if target.suffix != ".parquet":
        raise ScoreError(f"{target}: the output is Parquet; name it *.parquet")
    if target.resolve() == source.resolve():
        raise ScoreError(f"{target}: is the input; write the scores elsewhere")
    total, chunks = _open(scorer, source, chunk_rows)
    partial = target.with_name(f".{target.name}.partial")
    writer: pq.ParquetWriter | None = None
    done = 0
    try:
        for chunk in chunks:
            if writer is None:
                scorer.refuse_clashes(chunk.schema.names, str(source))
            table = _scored(scorer, chunk, source, done)
            if writer is None:
                writer = pq.ParquetWriter(partial, table.schema)
            writer.write_table(table)
            done += chunk.num_rows
            progress(done, total)
        if writer is None:
            raise ScoreError(f"{source}: has no rows to score")
        writer.close()
        os.replace(partial, target)
    finally:
        if writer is not None and writer.is_open:
            writer.close()
        partial.unlink(missing_ok=True)
    return done


def _open(
    scorer: Scorer, source: Path, chunk_rows: int
) -> tuple[int | None, Iterator[pa.RecordBatch]]:
    """Return the file's row count (None if unknown) and its chunks."""
    if source.suffix not in READS:
        raise ScoreError(f"{source}: score reads {' or '.join(READS)} files")
    if not source.is_file():
        raise ScoreError(f"{source}: file not found")
    if source.suffix == ".parquet":
        parquet = pq.ParquetFile(source)
        return parquet.metadata.num_rows, parquet.iter_batches(batch_size=chunk_rows)
    # Categories as text, so that a code such as 8 reads as the category "8"; the other
    # columns as pyarrow infers them. Blocks are sized in bytes: 1 MiB tells a row's length.
    with source.open("rb") as head:
        sample = head.read(1 << 20)
    row_bytes = max(1, len(sample) // max(1, sample.count(b"\n")))
    types = {name: pa.string() for name in scorer.model.schema.categorical}
    reader = pa_csv.open_csv(
        source,
        read_options=pa_csv.ReadOptions(block_size=max(1 << 16, row_bytes * chunk_rows)),
        convert_options=pa_csv.ConvertOptions(column_types=types, strings_can_be_null=True),
    )
    return None, _guarded(reader, source)


def _guarded(reader: pa_csv.CSVStreamingReader, source: Path) -> Iterator[pa.RecordBatch]:
    """Read a CSV's blocks; a value that isn't of its column's type names the file."""
    try:
        yield from reader
    except pa.ArrowInvalid as exc:  # e.g. "In CSV column #2: Row #5: ... invalid value 'x'"
        raise ScoreError(f"{source}: {exc}") from None


def _scored(scorer: Scorer, chunk: pa.RecordBatch, source: Path, before: int) -> pa.Table:
    """Append the answers to one chunk; a bad value refuses the file, naming where."""
    names = chunk.schema.names
    columns = {
        name: chunk.column(name).to_numpy(zero_copy_only=False)
        for name in scorer.features
        if name in names
    }
    try:
        answers = scorer.score(columns)
    except ColumnError as exc:
        raise ScoreError.of(str(source), exc, before) from None
    table = pa.Table.from_batches([chunk])
    for name, values in answers.items():
        table = table.append_column(name, pa.array(values))
    return table
