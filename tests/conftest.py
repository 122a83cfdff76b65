"""Bake projects from the template and run them with this interpreter's packages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from cookiecutter.main import cookiecutter
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
DEFAULTS: dict[str, Any] = json.loads((ROOT / "cookiecutter.json").read_text())


# Their tests share one trained project each and change it in order: one worker runs each
# module whole. Every other test goes to whichever worker is free.
IN_ORDER = {"tests/test_e2e.py", "tests/test_dvc.py"}


def pytest_configure(config: pytest.Config) -> None:
    """In a worker: one torch thread per process, inherited by the projects it trains."""
    # The workers already fill the cores; torch spreading each training over all of them too
    # only makes the processes wait on each other.
    if hasattr(config, "workerinput"):
        os.environ.setdefault("OMP_NUM_THREADS", "1")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Schedule like `--dist load`, except that each IN_ORDER module is one unit of work."""
    # xdist's own `xdist_group` mark does the same, but its renaming of node ids no longer
    # takes on pytest 9.
    from xdist.scheduler import LoadScopeScheduling

    class InOrder(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::")[0]
            return module if module in IN_ORDER else nodeid

    return InOrder(config, log)


def bake(output_dir: Path, **answers: str) -> Path:
    """Generate a project without prompts; return its folder."""
    return Path(
        cookiecutter(str(ROOT), no_input=True, extra_context=answers, output_dir=str(output_dir))
    )


def run(args: list[str], cwd: Path, timeout: float = 600, **kwargs: Any) -> str:
    """Run a command; fail the test with its output if it fails."""
    result = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False, **kwargs
    )
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def make_args(target: str, *extra: str) -> list[str]:
    """`make TARGET` in a generated project, using this interpreter's venv as its .venv."""
    # TORCH_INDEX= keeps the CPU torch already installed here instead of asking an index.
    return ["make", "--silent", target, f"VENV={sys.prefix}", "TORCH_INDEX=", *extra]


def shared_folder(request: pytest.FixtureRequest, factory: pytest.TempPathFactory) -> Path:
    """This run's temporary folder, the same for every pytest-xdist worker."""
    root = factory.getbasetemp()
    return root.parent if hasattr(request.config, "workerinput") else root


@pytest.fixture(scope="session")
def project_env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install a default project with `make install`, which pulls in every dependency."""
    project = bake(tmp_path_factory.mktemp("env"))
    # Every worker asks; they share this interpreter's venv, so one installs at a time and
    # the others find it installed.
    with FileLock(shared_folder(request, tmp_path_factory) / "install.lock"):
        run(make_args("install"), cwd=project)
    return project


class Trained(NamedTuple):
    project: Path
    output: str  # what `make train` printed
    metrics: str  # reports/metrics.json as that first run wrote it


@pytest.fixture(scope="session")
def trained_default(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, project_env: Path
) -> Trained:
    """A default project after its first `make train`, trained once per test run.

    test_e2e serves, benchmarks and retrains it; test_dvc compares the metrics it first wrote
    with those of its own clean run. Whichever worker asks first trains; the others wait.
    """
    shared = shared_folder(request, tmp_path_factory)
    record = shared / "trained-default.json"
    with FileLock(shared / "trained-default.lock"):
        if not record.is_file():
            project = bake(shared / "trained-default")
            output = run(make_args("train"), cwd=project)
            metrics = (project / "reports" / "metrics.json").read_text()
            record.write_text(json.dumps([str(project), output, metrics]))
    project, output, metrics = json.loads(record.read_text())
    return Trained(Path(project), output, metrics)
