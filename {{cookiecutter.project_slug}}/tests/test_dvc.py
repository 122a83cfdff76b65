"""dvc.yaml must list exactly the params.yaml keys and the code that each stage reads."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.stages.data import prepare
from {{ cookiecutter.module_name }}.stages.evaluate import evaluate_candidates
from {{ cookiecutter.module_name }}.stages.explain import explain_served
from {{ cookiecutter.module_name }}.stages.export import export_models
from {{ cookiecutter.module_name }}.stages.fairness import assess_fairness
from {{ cookiecutter.module_name }}.stages.promote import promote_champion
from {{ cookiecutter.module_name }}.stages.train import train_candidate
from {{ cookiecutter.module_name }}.stages.tune import tune_candidates

ROOT = Path(__file__).resolve().parents[1]

STAGES: dict[str, Callable[[Any], object]] = {
    "data": prepare,
    "train_baseline": lambda settings: train_candidate(settings, "baseline", progress=False),
    "train_mlp": lambda settings: train_candidate(settings, "mlp", progress=False),
    "promote": promote_champion,
    "export": export_models,
    "fairness": assess_fairness,
    "explain": explain_served,
    "evaluate": evaluate_candidates,
    # Last: the others train with params.yaml's values, as `make train` does before `make tune`.
    "tune": lambda settings: tune_candidates(settings, progress=False),
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
            "tune": settings.tune.model_copy(update={"trials": 1}),
        }
    )
    in_params = flatten(yaml.safe_load((ROOT / "params.yaml").read_text()))
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workdir)  # MLflow keeps artifacts of a new experiment in ./mlruns
        for stage, run in STAGES.items():
            if stage == "fairness":  # what it reads once a column is set: the first category
                _, schema = load_splits(settings.paths.processed)
                fairness = settings.fairness.model_copy(
                    update={"sensitive": schema.categorical[:1]}
                )
                settings = settings.model_copy(update={"fairness": fairness})
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
    if stage == "fairness" and reads[stage] <= {"fairness.sensitive", "evaluation.main_metric"}:
        pytest.skip("no categorical feature to assess: the stage reads only which is set")
    declared = pipeline[stage].get("params", [])
    unused = [d for d in declared if not any(covers(d, key) for key in reads[stage])]
    assert not unused, f"remove from {stage}.params in dvc.yaml: {unused}"


# Runs each stage's command from dvc.yaml in turn, in one process, after forgetting every
# module of the package: what the command then imports is what its stage depends on.
PROBE = """
import json, sys
package, commands = sys.argv[1], json.loads(sys.argv[2])
found = {}
for stage, args in commands.items():
    for name in [m for m in sys.modules if m.split(".")[0] == package]:
        del sys.modules[name]
    cli = __import__(package + ".cli", fromlist=["app"])
    try:
        cli.app(args, prog_name=package)
    except SystemExit as exit:
        if exit.code:
            sys.exit(f"{stage}: {args} exited with {exit.code}")
    modules = [m for name, m in sys.modules.items() if name.split(".")[0] == package]
    found[stage] = sorted({m.__file__ for m in modules})
print(json.dumps(found))
"""
PACKAGE = evaluate_candidates.__module__.split(".")[0]
SOURCE = ROOT / "src" / PACKAGE
ENTRY_POINTS = {SOURCE / "__main__.py", *(SOURCE / "cli").rglob("*.py")}


@pytest.fixture(scope="module")
def imports(pipeline, make_settings, tmp_path_factory) -> dict[str, set[Path]]:
    """Run each stage's command in order on a small copy; return the package files it imported."""
    workdir = tmp_path_factory.mktemp("imports")
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    source = ROOT / params["data"]["source"]
    if source.is_file():  # a table under data/raw/: the copy gets its own, where it reads
        (workdir / params["data"]["source"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, workdir / params["data"]["source"])
    params["torch"]["epochs"] = 2
    params["evaluation"].update(bootstrap=20, importance_repeats=1)
    params["tune"]["trials"] = 1
    (workdir / "params.yaml").write_text(yaml.safe_dump(params))
    (workdir / "README.md").write_text((ROOT / "README.md").read_text())
    commands = {stage: pipeline[stage]["cmd"].split()[3:] for stage in STAGES}
    src = str(SOURCE.parent)  # the package as the tests import it, installed or not
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, PACKAGE, json.dumps(commands)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    return {stage: {Path(file).resolve() for file in files} for stage, files in found.items()}


def code_deps(deps: list[str]) -> set[Path]:
    """The package files that a stage's deps name: a folder stands for every module in it."""
    files: set[Path] = set()
    for dep in deps:
        path = (ROOT / dep).resolve()
        if dep.startswith("src/"):
            assert path.exists(), f"{dep} does not exist"
            files |= set(path.rglob("*.py")) if path.is_dir() else {path}
    return files


@pytest.mark.slow
@pytest.mark.parametrize("stage", list(STAGES))
def test_stage_code_deps_are_exactly_what_its_command_imports(pipeline, imports, stage):
    listed = code_deps(pipeline[stage]["deps"])
    imported = imports[stage] - {p.resolve() for p in ENTRY_POINTS}

    def names(files: set[Path]) -> list[str]:
        return sorted(str(f.relative_to(ROOT.resolve())) for f in files)

    assert not imported - listed, f"add to {stage}.deps in dvc.yaml: {names(imported - listed)}"
    assert not listed - imported, (
        f"remove from {stage}.deps in dvc.yaml: {names(listed - imported)}"
    )


def test_library_modules_import_the_package_at_the_top_only():
    """What a stage imports when its module loads is all it imports: the probe above is exact."""
    for path in SOURCE.rglob("*.py"):
        if path in ENTRY_POINTS:
            continue  # commands import their stage when they run, so that deps stay exact
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = [
                    n
                    for n in ast.walk(node)
                    if isinstance(n, ast.ImportFrom)
                    and (n.level or (n.module or "").split(".")[0] == PACKAGE)
                ]
                assert not inner, f"{path.relative_to(ROOT)}: {node.name} imports the package"
