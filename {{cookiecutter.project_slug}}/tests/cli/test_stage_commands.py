"""The pipeline's commands: one line and exit 1 for bad input, files for good."""

import yaml
from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.cli import app

runner = CliRunner()


def test_data_command_writes_the_splits(tmp_path, base_settings):
    params = tmp_path / "params.yaml"
    processed = tmp_path / "processed"
    settings = base_settings.model_dump(mode="json")
    settings["paths"]["processed"] = str(processed)
    params.write_text(yaml.safe_dump(settings))
    result = runner.invoke(app, ["data", "--params", str(params)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in processed.iterdir()) == [
        "raw_example.parquet",
        "schema.json",
        "test.parquet",
        "train.parquet",
        "val.parquet",
    ]


def test_bad_params_exit_1_naming_the_key(tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("mlflow: {experiment: e, registered_model: m}\ndata: {source: nowhere.csv}\n")
    result = runner.invoke(app, ["data", "--params", str(params)])
    assert result.exit_code == 1
    assert "data.source" in result.output
    assert "Traceback" not in result.output
