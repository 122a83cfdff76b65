"""The background rows that stand for a feature left out: a seeded sample of training rows."""

from __future__ import annotations

import json

import pandas as pd

from ..features import api_records
from ..schema import FeatureSchema


def background_json(schema: FeatureSchema, train: pd.DataFrame, rows: int, seed: int) -> bytes:
    """Sample up to `rows` training rows; return them as the API takes them, in JSON."""
    sample = train.sample(min(rows, len(train)), random_state=seed)
    return (json.dumps(api_records(schema, sample), indent=1) + "\n").encode()
