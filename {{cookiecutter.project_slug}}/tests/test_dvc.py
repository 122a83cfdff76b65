"""dvc.yaml must list exactly the params.yaml keys each stage's code reads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from {{ cookiecutter.module_name }}.data import prepare
from {{ cookiecutter.module_name }}.pipeline import (
    evaluate_candidates,
    export_models,
    promote_champion,
    train_candidate,
)

ROOT = Path(__file__).resolve().parents[1]

STAGES: dict[str, Callable[[Any], object]] = {
    "data": prepare,
    "train_baseline": lambda settings: train_candidate(settings, "baseline", progress=False),
    "train_mlp": lambda settings: train_candidate(settings, "mlp", progress=False),
    "promote": promote_champion,
    "export": export_models,
    "evaluate": evaluate_candidates,
}


class Recorder:
    """Stands in for a settings object and notes the dotted name of every key read."""

    def __init__(self, model: BaseModel, seen: set[str], prefix: str = "") -> None:
        self._model, self._seen, self._prefix = model, seen, prefix

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._model, name)
        if name == "model_dump":  # reads the whole section
            self._seen.update(self._prefix + field for field in type(self._model).model_fields)
            return value
        if isinstance(value, BaseModel):
            return Recorder(value, self._seen, f"{self._prefix}{name}.")
        self._seen.add(self._prefix + name)
        return value


def flatten(params: dict[str, Any], prefix: str = "") -> set[str]:
    keys = set()
    for key, value in params.items():
        keys.add(prefix + key)
        if isinstance(value, dict):
            keys |= flatten(value, f"{prefix}{key}.")
    return keys


def covers(declared: str, key: str) -> bool:
    return key == declared or key.startswith(declared + ".")


@pytest.fixture(scope="module")
def reads(make_settings, tmp_path_factory) -> dict[str, set[str]]:
    """Run every stage in order on a recorder; return the params.yaml keys each one read."""
    workdir = tmp_path_factory.mktemp("dvc")
    settings = make_settings(workdir)
    # Fewer epochs and resamples: only which keys are read matters here, not their values.
    settings = settings.model_copy(
        update={
            "torch": settings.torch.model_copy(update={"epochs": 3}),
            "evaluation": settings.evaluation.model_copy(
                update={"bootstrap": 20, "importance_repeats": 1}
            ),
        }
    )
    in_params = flatten(yaml.safe_load((ROOT / "params.yaml").read_text()))
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workdir)  # MLflow keeps artifacts of a new experiment in ./mlruns
        for stage, run in STAGES.items():
            seen: set[str] = set()
            run(Recorder(settings, seen))
            found[stage] = seen & in_params
    return found


@pytest.fixture(scope="module")
def pipeline() -> dict[str, Any]:
    stages: dict[str, Any] = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    return stages


def test_every_stage_is_checked(pipeline):
    assert set(pipeline) == set(STAGES)


@pytest.mark.parametrize("stage", list(STAGES))
def test_stage_declares_every_param_it_reads(pipeline, reads, stage):
    declared = pipeline[stage].get("params", [])
    undeclared = {key for key in reads[stage] if not any(covers(d, key) for d in declared)}
    assert not undeclared, f"add to {stage}.params in dvc.yaml: {sorted(undeclared)}"


@pytest.mark.parametrize("stage", list(STAGES))
def test_stage_declares_no_param_it_ignores(pipeline, reads, stage):
    declared = pipeline[stage].get("params", [])
    unused = [d for d in declared if not any(covers(d, key) for key in reads[stage])]
    assert not unused, f"remove from {stage}.params in dvc.yaml: {unused}"


@pytest.mark.parametrize("stage", list(STAGES))
def test_stage_code_deps_exist(pipeline, stage):
    for dep in pipeline[stage].get("deps", []):
        if dep.startswith("src/"):
            assert (ROOT / dep).is_file(), f"{stage}: {dep} does not exist"
