"""Install time, pip against uv: `make install`'s package installs into an empty venv.

Asks make for the commands of the install recipe (`make -n`) with INSTALLER=pip and with
INSTALLER=uv, so that it times what `make install` runs, not a copy of it. Runs them into new
venvs in a temporary folder and times the two package installs (torch from TORCH_INDEX, then
the project with its extras); creating the venv and upgrading pip run untimed. Each installer
first installs once untimed (`--no-warm` skips that) so that its package cache is warm: the
timed runs measure installing, as for a rebuilt venv or a second project, not downloading.
Prints the seconds side by side and uv/pip; the target is 1/3 or less. pip byte-compiles
what it installs, uv leaves that to each module's first import (UV_COMPILE_BYTECODE=1 times it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTALLERS = ("pip", "uv")
STEPS = ("torch", "project")
TARGET = 1 / 3
# make passes its command line down in these: a `make bench-install VENV=...` would override ours.
MAKE_VARIABLES = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")


def environment(venv: Path | None = None) -> dict[str, str]:
    """Return os.environ without make's variables; `venv`'s bin first on PATH, as make does."""
    env = {k: v for k, v in os.environ.items() if k not in MAKE_VARIABLES}
    if venv is not None:
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def is_timed(command: str) -> bool:
    """Tell a package install from the venv's creation, pip's own upgrade and the stamp."""
    return "pip install" in command and "--upgrade pip" not in command


def recipe(venv: Path, installer: str, torch_index: str | None) -> list[str]:
    """Return the commands that `make install` runs to create and fill `venv` with `installer`."""
    command = ["make", "-n", "--no-print-directory", f"{venv}/.installed", f"VENV={venv}"]
    command.append(f"INSTALLER={installer}")
    if torch_index is not None:  # otherwise the Makefile's default index
        command.append(f"TORCH_INDEX={torch_index}")
    done = subprocess.run(command, cwd=ROOT, env=environment(), capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if [is_timed(line) for line in lines].count(True) != len(STEPS):
        sys.exit("expected torch's install, then the project's, in:\n" + "\n".join(lines))
    return lines


def install(venv: Path, installer: str, torch_index: str | None) -> list[float]:
    """Run the recipe into `venv`; return the seconds of each package install."""
    seconds = []
    for command in recipe(venv, installer, torch_index):
        began = time.perf_counter()
        done = subprocess.run(
            command, shell=True, cwd=ROOT, env=environment(venv), capture_output=True, text=True
        )
        if done.returncode != 0:
            sys.exit(
                f"{installer}: `{command}` failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        if is_timed(command):
            seconds.append(time.perf_counter() - began)
    return seconds


def contents(venv: Path) -> str:
    """Torch's version and how many packages: both installers must install the same."""
    # pip, setuptools and wheel are the venv's seeds, which differ between the two ways.
    code = (
        "import importlib.metadata as m; "
        "n = {d.name for d in m.distributions()} - {'pip', 'setuptools', 'wheel'}; "
        "print('torch', m.version('torch') + ',', len(n), 'other packages')"
    )
    python = str(venv / "bin" / "python")
    return subprocess.run([python, "-c", code], capture_output=True, text=True).stdout.strip()


def main(argv: list[str] | None = None) -> None:
    """Warm each installer's cache, time each into an empty venv, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--torch-index",
        default=None,
        help="as make's TORCH_INDEX (empty: the default index); omitted: the Makefile's default",
    )
    parser.add_argument("--runs", type=int, default=1, help="timed runs each; the best is kept")
    parser.add_argument("--no-warm", action="store_true", help="no untimed run to fill the caches")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be 1 or more")
    if shutil.which("uv") is None:
        sys.exit(
            "uv is not on PATH, so there is nothing to compare pip with: install it with "
            "`pip install uv` (or `curl -LsSf https://astral.sh/uv/install.sh | sh`) and rerun"
        )

    index = "the Makefile's default" if args.torch_index is None else args.torch_index or "default"
    print(f"make install's package installs into an empty venv, TORCH_INDEX: {index}")
    best = {installer: [float("inf")] * len(STEPS) for installer in INSTALLERS}
    installed = {}
    with tempfile.TemporaryDirectory(prefix="bench-install-") as tmp:
        rounds = ([] if args.no_warm else ["warm"]) + ["timed"] * args.runs
        for number, kind in enumerate(rounds):
            for installer in INSTALLERS:
                venv = Path(tmp) / f"{installer}-{number}"
                seconds = install(venv, installer, args.torch_index)
                installed[installer] = contents(venv)
                shutil.rmtree(venv)  # a venv with torch is about 1 GB
                if kind == "timed":
                    best[installer] = [
                        min(pair) for pair in zip(best[installer], seconds, strict=True)
                    ]
                total = sum(seconds)
                print(f"  {kind} run, {installer}: {total:.1f} s ({installed[installer]})")

    print(f"\n{'install':<10} {'pip s':>8} {'uv s':>8} {'uv/pip':>7}")
    totals = {installer: sum(best[installer]) for installer in INSTALLERS}
    for step, pip, uv in zip(STEPS, best["pip"], best["uv"], strict=True):
        print(f"{step:<10} {pip:>8.1f} {uv:>8.1f} {uv / pip:>7.2f}")
    ratio = totals["uv"] / totals["pip"]
    verdict = "met" if ratio <= TARGET else "MISSED"
    print(f"{'total':<10} {totals['pip']:>8.1f} {totals['uv']:>8.1f} {ratio:>7.2f}  {verdict}")
    print(f"target: uv/pip <= {TARGET:.2f}; caches {'assumed ' * args.no_warm}warm")
    if installed["pip"] != installed["uv"]:
        print(f"not the same install: pip {installed['pip']}; uv {installed['uv']}")


if __name__ == "__main__":
    main()
