"""Refuse answers that would generate a broken project, naming the option to change.

Cookiecutter renders this file before running it. The answers arrive as one JSON document
in a raw string: `tojson` escapes every quote, backslash and newline in them, and JSON
never holds three quotes in a row, so no answer can break out of the literal.
"""

import json
import keyword
import re
import sys

ANSWERS = json.loads(
    r"""{{ {
        "project_name": cookiecutter.project_name,
        "project_slug": cookiecutter.project_slug,
        "module_name": cookiecutter.module_name,
        "author_name": cookiecutter.author_name,
        "author_email": cookiecutter.author_email,
        "github_user": cookiecutter.github_user,
        "description": cookiecutter.description,
    } | tojson }}"""
)

# Importing the generated package must not hide these: its own code imports them.
SHADOWED = {
    "anyio",
    "dask",
    "distributed",
    "fairlearn",
    "fastapi",
    "fastapi_offline",
    "matplotlib",
    "mlflow",
    "numpy",
    "onnx",
    "onnxruntime",
    "optuna",
    "orjson",
    "palmerpenguins",
    "pandas",
    "prometheus_client",
    "pyarrow",
    "pydantic",
    "qdrant_client",
    "rich",
    "shap",
    "skl2onnx",
    "sklearn",
    "sklego",
    "skops",
    "starlette",
    "tests",
    "torch",
    "typer",
    "uvicorn",
    "yaml",
}


def problems(answers: dict[str, str]) -> list[str]:
    """Return one `option: why` line for each answer that can't be used."""
    found = []
    module, slug = answers["module_name"], answers["project_slug"]
    for option in ("project_name", "author_name", "description"):
        if any(ch in answers[option] for ch in "\r\n\x00"):
            found.append(f"{option}: must be a single line of text")
    if not any(ch.isalnum() for ch in answers["project_name"]):
        found.append("project_name: needs at least one letter or digit")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", module):
        found.append(
            f"module_name: {module!r} is not a valid Python package name "
            "(lowercase letters, digits and underscores, not starting with a digit)"
        )
    elif keyword.iskeyword(module) or keyword.issoftkeyword(module):
        found.append(f"module_name: {module!r} is a Python keyword")
    elif module in sys.stdlib_module_names or module in SHADOWED:
        found.append(f"module_name: {module!r} would shadow the module of the same name")
    if not re.fullmatch(r"[a-z0-9]([a-z0-9._-]*[a-z0-9])?", slug):
        found.append(
            f"project_slug: {slug!r} must be lowercase letters, digits, '.', '_' or '-', "
            "starting and ending with a letter or digit"
        )
    if not re.fullmatch(r"[^@\s\"]+@[^@\s\"]+\.[^@\s\"]+", answers["author_email"]):
        found.append(f"author_email: {answers['author_email']!r} is not an email address")
    # GitHub's rule: letters, digits and single hyphens inside, at most 39 characters.
    if not re.fullmatch(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}", answers["github_user"]):
        found.append(
            f"github_user: {answers['github_user']!r} is not a GitHub user or organisation name "
            "(letters, digits and single hyphens, not at either end, 39 characters at most)"
        )
    return found


if __name__ == "__main__":
    errors = problems(ANSWERS)
    for line in errors:
        print(f"ERROR: {line}", file=sys.stderr)
    sys.exit(1 if errors else 0)
