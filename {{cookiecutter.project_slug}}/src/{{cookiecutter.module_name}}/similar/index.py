"""The index the export stage ships: training rows' embeddings by the served graph itself.

Embedding them with the graph that serves makes a training record, sent back to the API,
land exactly on its own vector: similarity 1.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from ..bundle import NEIGHBOURS_FILE, VECTORS_FILE
from ..features import api_records, feature_frame, rows_of, targets
from ..onnx_model import OnnxModel
from .neighbours import INDEXED, Indexed


def index_files(model: OnnxModel, train: pd.DataFrame, rows: int, seed: int) -> dict[str, bytes]:
    """Embed up to `rows` training rows (a seeded sample); return the bundle's index files.

    A row whose embedding is zero has no direction to compare: it is left out.
    """
    schema = model.schema
    if len(train) > rows:
        train = train.sample(rows, random_state=seed)
    vectors = model.embed(rows_of(feature_frame(schema, train)))
    kept = np.linalg.norm(vectors, axis=1) > 0
    labels = targets(train, schema).tolist()
    indexed = [
        Indexed(record=record, target=label)
        for record, label, keep in zip(api_records(schema, train), labels, kept, strict=True)
        if keep
    ]
    buffer = io.BytesIO()
    np.save(buffer, vectors[kept], allow_pickle=False)
    return {VECTORS_FILE: buffer.getvalue(), NEIGHBOURS_FILE: INDEXED.dump_json(indexed)}
