from pathlib import Path

import pytest

from {{ cookiecutter.module_name }}.config import SettingsError, load_settings


def test_project_params_load(base_settings):
    assert base_settings.data.target
    assert 0 < base_settings.data.test_size + base_settings.data.val_size < 1


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(text)
    return path


def test_unknown_key_is_named(tmp_path):
    path = write(tmp_path, "mlflow: {experiment: e, registered_model: m}\ntorch: {epoch: 3}\n")
    with pytest.raises(SettingsError, match=r"torch\.epoch"):
        load_settings(path)


def test_bad_value_is_named(tmp_path):
    path = write(tmp_path, "mlflow: {experiment: e, registered_model: m}\ntorch: {lr: -1}\n")
    with pytest.raises(SettingsError, match=r"torch\.lr"):
        load_settings(path)


def test_splits_must_leave_training_rows(tmp_path):
    path = write(
        tmp_path,
        "mlflow: {experiment: e, registered_model: m}\ndata: {test_size: 0.5, val_size: 0.45}\n",
    )
    with pytest.raises(SettingsError, match="test_size"):
        load_settings(path)


def test_champion_metric_must_be_a_validation_metric(tmp_path):
    path = write(
        tmp_path, "mlflow: {experiment: e, registered_model: m, champion_metric: test_accuracy}\n"
    )
    with pytest.raises(SettingsError, match=r"mlflow\.champion_metric"):
        load_settings(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(SettingsError, match=r"nope\.yaml"):
        load_settings(tmp_path / "nope.yaml")


def test_tracking_uri_from_the_environment_wins(tmp_path, monkeypatch):
    path = write(tmp_path, "mlflow: {experiment: e, registered_model: m, tracking_uri: a}\n")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///elsewhere.db")
    assert load_settings(path).mlflow.tracking_uri == "sqlite:///elsewhere.db"
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    assert load_settings(path).mlflow.tracking_uri == "a"
