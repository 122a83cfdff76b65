"""The sections of params.yaml: column names as YAML reads them."""

from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.config import SettingsError, load_settings
from {{ cookiecutter.module_name }}.data.validation import validate


def write(tmp_path: Path, data: str) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text("mlflow: {experiment: e, registered_model: m}\ndata: " + data + "\n")
    return path


def test_a_yaml_number_names_the_column_of_that_name(tmp_path):
    settings = load_settings(write(tmp_path, "{target: 2011, drop: [1999, id], numeric: [3.5]}"))
    assert settings.data.target == "2011"
    assert settings.data.drop == ["1999", "id"]
    assert settings.data.numeric == ["3.5"]
    table = pd.DataFrame({"2011": ["a", "b"] * 20, "1999": 1, "id": range(40), "x": range(40)})
    cfg = settings.data.model_copy(update={"numeric": []})
    assert list(validate(table, cfg).table.columns) == ["2011", "x"]


def test_a_yaml_boolean_as_a_column_name_says_to_quote_it(tmp_path):
    with pytest.raises(SettingsError, match=r"data\.target: .*YAML boolean: quote the column"):
        load_settings(write(tmp_path, "{target: yes}"))
