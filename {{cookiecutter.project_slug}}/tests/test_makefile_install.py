"""`make install` picks uv or pip and installs torch from TORCH_INDEX first (dry runs only)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")
CPU_INDEX = "https://download.pytorch.org/whl/cpu"

pytestmark = pytest.mark.skipif(MAKE is None, reason="needs GNU make")


def fake_uv(folder: Path) -> Path:
    """An executable named uv: all that `command -v uv` looks for."""
    folder.mkdir(parents=True, exist_ok=True)
    uv = folder / "uv"
    uv.write_text("#!/bin/sh\nexit 1\n")
    uv.chmod(0o755)
    return folder


def dry_run(venv: Path, *args: str, path: Path) -> subprocess.CompletedProcess[str]:
    """`make -n install` with only `path` on PATH and nothing inherited from a calling make."""
    assert MAKE is not None
    command = [MAKE, "-n", "--no-print-directory", "install", f"VENV={venv}", *args]
    env = {"PATH": str(path)}  # `make -n` runs no recipe: the tools need not be there
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def install_lines(venv: Path, *args: str, path: Path) -> list[str]:
    """The commands that create `venv` and install into it, in order."""
    done = dry_run(venv, *args, path=path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    created = next(i for i, line in enumerate(lines) if line.startswith(f"test -x {venv}/bin/"))
    touched = lines.index(f"touch {venv}/.installed")
    return lines[created:touched]


def test_uv_creates_the_venv_then_installs_torch_before_the_project(tmp_path):
    venv = tmp_path / "venv"
    create, torch, project = install_lines(venv, "INSTALLER=uv", path=tmp_path / "bin")
    assert create == f"test -x {venv}/bin/python || uv venv --quiet --seed --python python3 {venv}"
    target = f"--python {venv}/bin/python"
    uv = f"uv pip install --quiet --compile-bytecode {target}"
    assert torch == f'{uv} "torch>=2.4" --index-url {CPU_INDEX}'
    assert project == f'{uv} --editable ".[train,explain,score,dev]"'


def test_pip_installs_as_it_always_has(tmp_path):
    venv = tmp_path / "venv"
    python = f"{venv}/bin/python"
    assert install_lines(venv, "INSTALLER=pip", path=fake_uv(tmp_path / "bin")) == [
        f"test -x {python} || python3 -m venv {venv}",
        f"{python} -m pip install --quiet --upgrade pip",
        f'{python} -m pip install --quiet "torch>=2.4" --index-url {CPU_INDEX}',
        f'{python} -m pip install --quiet --editable ".[train,explain,score,dev]"',
    ]


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_an_empty_torch_index_leaves_the_index_to_the_installer(tmp_path, installer):
    venv = tmp_path / "venv"
    lines = install_lines(venv, f"INSTALLER={installer}", "TORCH_INDEX=", path=tmp_path)
    torch = next(line for line in lines if '"torch>=2.4"' in line)
    assert torch.rstrip().endswith('"torch>=2.4"')
    assert not any("--index-url" in line for line in lines)


@pytest.mark.parametrize(
    ("uv_on_path", "uv_in_venv", "chosen"),
    [(False, False, "pip"), (True, False, "uv"), (False, True, "uv")],
)
def test_without_installer_uv_is_taken_when_found(tmp_path, uv_on_path, uv_in_venv, chosen):
    venv = tmp_path / "venv"
    path = fake_uv(tmp_path / "bin") if uv_on_path else tmp_path
    if uv_in_venv:
        fake_uv(venv / "bin")  # the Makefile puts $(VENV)/bin first on PATH
    lines = install_lines(venv, path=path)
    uses_uv = [line.startswith("uv pip install ") for line in lines[1:]]  # [0] makes the venv
    assert uses_uv == ([True, True] if chosen == "uv" else [False, False, False])


@pytest.mark.parametrize("value", ["conda", "pip uv", "UV"])
def test_an_unknown_installer_is_refused_by_name(tmp_path, value):
    done = dry_run(tmp_path / "venv", f"INSTALLER={value}", path=fake_uv(tmp_path / "bin"))
    assert done.returncode != 0
    assert done.stdout == ""  # refused before any command
    (message,) = done.stderr.splitlines()
    assert f"INSTALLER={value}" in message
    assert "pip" in message
    assert "uv" in message
