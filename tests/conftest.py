"""Bake projects from the template and run them with this interpreter's packages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parents[1]
DEFAULTS: dict[str, Any] = json.loads((ROOT / "cookiecutter.json").read_text())


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


@pytest.fixture(scope="session")
def project_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install a default project with `make install`, which pulls in every dependency."""
    project = bake(tmp_path_factory.mktemp("env"))
    run(make_args("install"), cwd=project)
    return project
