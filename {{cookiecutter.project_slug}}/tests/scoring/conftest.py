"""The served bundle as a scorer, and the test split as a table with an id beside it."""

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.scoring.scorer import Scorer


@pytest.fixture(scope="module")
def scorer(trained):
    return Scorer.load(trained.settings.paths.serving)


@pytest.fixture(scope="module")
def table(trained):
    """The test split's features and target, and an id column the model never saw."""
    splits, schema = load_splits(trained.settings.paths.processed)
    frame = splits["test"][[*schema.names, schema.target]].reset_index(drop=True)
    return pd.concat([pd.DataFrame({"row_id": range(len(frame))}), frame], axis=1)
