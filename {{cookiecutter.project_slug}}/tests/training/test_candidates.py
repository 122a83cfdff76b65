"""Fitting a candidate: the baseline's sample is checked against the classes."""

import pytest

from {{ cookiecutter.module_name }}.stages.data import prepare
from {{ cookiecutter.module_name }}.stages.train import train_candidate
from {{ cookiecutter.module_name }}.training.loop import TrainingError


def test_a_baseline_sample_too_small_for_the_classes_names_the_key(penguin_settings, monkeypatch):
    settings = penguin_settings
    monkeypatch.chdir(settings.paths.models.parent)  # MLflow keeps artifacts in ./mlruns
    prepare(settings)
    baseline = settings.baseline.model_copy(update={"max_rows": 2})
    with pytest.raises(TrainingError, match=r"baseline\.max_rows: .*classes"):
        train_candidate(settings.model_copy(update={"baseline": baseline}), "baseline")
    assert not (settings.paths.models / "baseline.json").exists()
