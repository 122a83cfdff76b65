"""Hostile answers give a working project or a clean refusal that names the option."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import pytest
import yaml
from cookiecutter.main import cookiecutter

from conftest import ROOT, bake, run

VALID = [
    pytest.param({"project_name": 'Bob\'s "Quoted" Model'}, "bob_s_quoted_model", id="quotes"),
    pytest.param({"project_name": "Pingüino Ñandú"}, "pinguino_nandu", id="unicode"),
    pytest.param({"project_name": "  lots   of  spaces "}, "lots_of_spaces", id="spaces"),
    pytest.param({"project_name": "back\\slash"}, "back_slash", id="backslash"),
    pytest.param(
        {"description": 'He said "hi" \\ then\tleft', "author_name": 'O\'Brien "Ó"'},
        "penguin_classifier",
        id="quoted-description-and-author",
    ),
    pytest.param({"description": 'Ends in """ and \\'}, "penguin_classifier", id="triple-quotes"),
]

REFUSED = [
    pytest.param({"project_name": "3D Penguins"}, "module_name", id="leading-digit"),
    pytest.param({"project_name": "class"}, "module_name", id="keyword"),
    pytest.param({"project_name": "torch"}, "module_name", id="shadows-torch"),
    pytest.param({"project_name": "json"}, "module_name", id="shadows-stdlib"),
    pytest.param({"project_name": "!!!"}, "project_name", id="no-letters"),
    pytest.param({"project_name": "two\nlines"}, "project_name", id="newline"),
    pytest.param({"module_name": "My-Module"}, "module_name", id="module-with-dash"),
    pytest.param({"project_slug": "Bad Slug"}, "project_slug", id="slug-with-space"),
    pytest.param({"author_email": "not an email"}, "author_email", id="email"),
    pytest.param({"github_user": "-ada"}, "github_user", id="github-user-leading-hyphen"),
    pytest.param({"author_name": "Ωμέγα", "github_user": "a b"}, "github_user", id="github-user"),
]


@pytest.mark.parametrize(("answers", "module"), VALID)
def test_hostile_answers_still_give_a_valid_project(tmp_path, answers, module):
    project = bake(tmp_path, **answers)
    package = project / "src" / module
    assert package.is_dir()
    for path in project.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["description"] == answers.get("description", meta["description"])
    assert meta["authors"][0]["name"] == answers.get("author_name", meta["authors"][0]["name"])
    yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    stored = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    for key, value in answers.items():
        assert stored[key] == value
    run([sys.executable, "-m", "ruff", "check", "."], cwd=project)


@pytest.mark.parametrize(("answers", "option"), REFUSED)
def test_bad_answers_are_refused_naming_the_option(tmp_path, answers, option):
    args = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(tmp_path), str(ROOT)]
    args += [f"{key}={value}" for key, value in answers.items()]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert f"ERROR: {option}:" in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing half-generated is left behind


def test_hooks_are_safe_to_rerun_over_a_project(tmp_path):
    first = bake(tmp_path, open_source_license="none")
    before = sorted(p.relative_to(first) for p in first.rglob("*"))
    again = cookiecutter(
        str(ROOT),
        no_input=True,
        extra_context={"open_source_license": "none"},
        output_dir=str(tmp_path),
        overwrite_if_exists=True,
    )
    assert again == str(first)
    assert sorted(p.relative_to(first) for p in first.rglob("*")) == before
