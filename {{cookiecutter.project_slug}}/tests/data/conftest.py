"""The project's own table, as the data step validates it."""

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.data.validation import validate


@pytest.fixture
def table(raw, base_settings) -> pd.DataFrame:
    return validate(raw, base_settings.data, base_settings.task).table
