"""The pipeline's fixed cost: `make train` from a clean state against its work done warm.

Copies the project, less its outputs, stores and caches, into a temporary folder twice. In
the first, `make train` runs as a user runs it (DVC, one Python process per stage); each
stage's wall time is read off DVC's `Running stage` lines as they arrive. In the second, one
Python process imports every stage first, then runs the same stage commands in order, in
process: that is the stages' work alone. The ratio of the two is what a process per stage
costs; target <= 1.5x.

Then, in the first copy: `make train` again with nothing changed (target <= 2 s), and after
a change of one torch parameter, which must rerun only the stages that depend on it.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import json
import os
import pkgutil
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from {{ cookiecutter.module_name }} import cli
from {{ cookiecutter.module_name }} import stages as stage_modules

ROOT = Path(__file__).resolve().parents[1]
# What a clean state lacks: the pipeline's outputs, the stores, the environment, the caches.
OUTPUTS = {".git", ".dvc", ".venv", "dvc.lock", "mlflow.db", "mlruns", "mlartifacts", "optuna.db"}
OUTPUTS |= {"models", "reports", "data/processed"}
CACHES = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
STARTED = "Running stage '"


def clean_copy(workdir: Path) -> Path:
    """Copy the project into `workdir` as a fresh clone has it: code, params and raw data."""

    def left_out(folder: str, names: list[str]) -> set[str]:
        inside = Path(folder).resolve().relative_to(ROOT)
        return {n for n in names if n in CACHES or (inside / n).as_posix() in OUTPUTS}

    # symlinks=True: a link (a .venv linked in, say) is copied as a link, not followed.
    shutil.copytree(ROOT, workdir, ignore=left_out, symlinks=True)
    return workdir


def stages() -> dict[str, list[str]]:
    """`make train`'s stages in dvc.yaml's order, each with its command's arguments."""
    found = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    # `python -m PACKAGE ARGS...`: the arguments are what the in-process run passes.
    return {
        name: shlex.split(stage["cmd"])[3:]
        for name, stage in found.items()
        if not stage.get("frozen")
    }


def make_train(workdir: Path) -> tuple[float, dict[str, float]]:
    """Run `make train`; return its wall time and each stage's, from DVC's progress lines."""
    venv = Path(sys.prefix)
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    # -o: the venv is installed already; never let make reinstall it from the copy.
    command = ["make", "-o", f"{venv}/.installed", f"VENV={venv}", "train"]
    marks: list[tuple[str, float]] = [("dvc", time.perf_counter())]
    with subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith(STARTED):
                marks.append((line[len(STARTED) :].split("'")[0], time.perf_counter()))
    ended = time.perf_counter()
    if process.returncode != 0:
        sys.exit(f"make train failed in {workdir}:\n{''.join(lines[-40:])}")
    marks.append(("", ended))
    # Before the first stage: make, git and DVC's own start; it goes to the total only.
    times = {name: later - began for (name, began), (_, later) in itertools.pairwise(marks)}
    return ended - marks[0][1], times


def warm_run(workdir: Path) -> dict[str, float]:
    """In a fresh process: import every stage, then time each stage's command in `workdir`."""
    command = [sys.executable, __file__, "--warm-in", str(workdir)]
    env = {**os.environ, "MLFLOW_TRACKING_URI": "sqlite:///mlflow.db"}
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the in-process run failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    times: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return times


def run_warm_here() -> None:
    """Import every stage, run each; print the times as one JSON line (`warm_run` reads it)."""
    began = time.perf_counter()
    for module in pkgutil.iter_modules(stage_modules.__path__):
        importlib.import_module(f"{stage_modules.__name__}.{module.name}")
    times = {"imports": time.perf_counter() - began}
    for name, args in stages().items():
        began = time.perf_counter()
        code = cli.app(args=args, prog_name="bench", standalone_mode=False)
        if code:  # typer.Exit returns its code when not standalone
            sys.exit(f"{name} exited with {code}")
        times[name] = time.perf_counter() - began
    print(json.dumps(times))


def set_torch(params: Path, key: str) -> str:
    """Double `torch.KEY` in a params file; return what changed."""
    found = yaml.safe_load(params.read_text())
    old = found["torch"][key]
    found["torch"][key] = old * 2
    params.write_text(yaml.safe_dump(found, sort_keys=False))
    return f"torch.{key} {old} -> {old * 2}"


def main() -> None:
    """Print the per-stage table, the ratio, and the no-op and one-parameter reruns."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warm-in", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--torch-key", default="lr", help="the torch parameter to change")
    parser.add_argument("--keep", type=Path, help="run in this new folder and keep both copies")
    args = parser.parse_args()
    if args.warm_in:
        return run_warm_here()

    with tempfile.TemporaryDirectory() as tmp:
        where = args.keep or Path(tmp)
        cold, warm = clean_copy(where / "make"), clean_copy(where / "warm")
        total, made = make_train(cold)
        work = warm_run(warm)
        print(f"make train ran {', '.join(list(made)[1:])}")
        print(f"{'stage':<16} {'make train s':>12} {'warm s':>8} {'ratio':>6}")
        for name in stages():
            ratio = made[name] / work[name]
            print(f"{name:<16} {made[name]:>12.1f} {work[name]:>8.1f} {ratio:>5.1f}x")
        done = sum(seconds for name, seconds in work.items() if name != "imports")
        verdict = "met" if total / done <= 1.5 else "MISSED"
        print(f"{'all':<16} {total:>12.1f} {done:>8.1f} {total / done:>5.1f}x  {verdict} (<= 1.5x)")
        print(f"make and DVC before the first stage: {made['dvc']:.1f} s")
        print(f"the warm process's imports, before timing: {work['imports']:.1f} s")

        noop = min(make_train(cold)[0] for _ in range(3))
        verdict = "met" if noop <= 2 else "MISSED"
        print(f"make train, nothing changed: {noop:.1f} s (best of 3)  {verdict} (<= 2 s)")
        change = set_torch(cold / "params.yaml", args.torch_key)
        rerun, reran = make_train(cold)
        print(f"make train after {change}: {rerun:.1f} s, reran {', '.join(list(reran)[1:])}")


if __name__ == "__main__":
    main()
