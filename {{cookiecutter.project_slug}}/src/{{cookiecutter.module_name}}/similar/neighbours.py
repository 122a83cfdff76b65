"""The training records nearest to a record: cosine similarity of the model's embeddings.

The vectors live in Qdrant's local mode, in memory, loaded from the bundle's `.npy` (read
without pickle) and JSON records, both under the manifest's checksums. The same client
code searches a Qdrant server or cluster: `QdrantClient(url=...)` in place of ":memory:".
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, TypeAdapter

from ..bundle import NEIGHBOURS_FILE, VECTORS_FILE, Bundle

COLLECTION = "training_records"


class Indexed(BaseModel):
    """A training record as the API takes it, and its target: a label, or a value."""

    record: dict[str, float | str | bool | None]
    target: str | float


class Neighbour(Indexed):
    """An indexed record and how similar it is to the one asked about."""

    index: int  # its position in the bundle's index
    similarity: float  # cosine, from -1 to 1; 1: the same direction


INDEXED = TypeAdapter(list[Indexed])


class Neighbours:
    """An in-memory Qdrant collection of training records' embeddings."""

    def __init__(self, vectors: npt.NDArray[np.float32], records: Sequence[Indexed]) -> None:
        # Here, not at the top: the client comes with the `explain` extra, as shap does.
        from qdrant_client import QdrantClient, models

        if vectors.ndim != 2 or len(vectors) != len(records):
            raise ValueError(f"{len(records)} records but vectors of shape {vectors.shape}")
        self.size = len(records)
        self._client = QdrantClient(location=":memory:")
        self._client.create_collection(
            COLLECTION,
            vectors_config=models.VectorParams(
                size=vectors.shape[1], distance=models.Distance.COSINE
            ),
        )
        payload = [record.model_dump() for record in records]
        self._client.upload_collection(
            COLLECTION, vectors=vectors, payload=payload, ids=list(range(self.size))
        )

    def nearest(self, vector: npt.NDArray[np.float32], k: int) -> list[Neighbour]:
        """Return the `k` records nearest `vector` (or all, if fewer), most similar first."""
        hits = self._client.query_points(
            COLLECTION, query=vector.tolist(), limit=k, with_payload=True
        ).points
        return [
            Neighbour(index=int(hit.id), similarity=hit.score, **(hit.payload or {}))
            for hit in hits
        ]


def read_neighbours(bundle: Bundle) -> Neighbours | None:
    """Load the bundle's index; None if it ships none."""
    vectors, records = bundle.files.get(VECTORS_FILE), bundle.files.get(NEIGHBOURS_FILE)
    if vectors is None or records is None:
        return None
    matrix = np.load(io.BytesIO(vectors), allow_pickle=False)
    return Neighbours(matrix.astype(np.float32), INDEXED.validate_json(records))
