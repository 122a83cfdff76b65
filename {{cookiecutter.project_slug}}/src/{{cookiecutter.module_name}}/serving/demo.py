"""The demo page at `GET /`: a form built from the feature schema that calls `POST /predict`.

Where the app serves `POST /explain` and `POST /similar`, the page asks them after each
answer why, and which training records are most alike.

Plain HTML, CSS and a small script in `demo.html`: no CDN, no build step. Every value from
the data (column names, categories, examples) is escaped here, as HTML or as JSON.
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from typing import Any

from ..bundle import Manifest
from ..schema import Feature

PAGE = resources.files(__package__).joinpath("demo.html").read_text(encoding="utf-8")
SLOT = re.compile(r"\{\{ (\w+) \}\}")  # a name in double braces; the script uses ${...}


def _kind(feature: Feature) -> str:
    """How the form asks for a feature: a number, true/false, or one of the categories."""
    if feature.kind == "numeric":
        return "number"
    return "boolean" if feature.boolean else "category"


def _field(i: int, feature: Feature) -> str:
    """One labelled input: a number box with the training range, or a select."""
    name, kind = html.escape(feature.name), _kind(feature)
    if kind == "number":
        seen = ""
        if feature.min is not None and feature.max is not None:
            seen = f"{feature.min:g} to {feature.max:g} in training"
        hint = seen or "a number"
        control = (
            f'<input id="field-{i}" type="number" step="any" '
            f'aria-describedby="hint-{i}" placeholder="{html.escape(seen)}">'
        )
    else:
        values = ["true", "false"] if kind == "boolean" else feature.categories
        options = "".join(
            f'<option value="{html.escape(v)}">{html.escape(v)}</option>' for v in values
        )
        hint = "true or false" if kind == "boolean" else f"{len(values)} values seen in training"
        control = (
            f'<select id="field-{i}" aria-describedby="hint-{i}">'
            f'<option value="">(missing)</option>{options}</select>'
        )
    return (
        f'    <div class="field"><label for="field-{i}">{name}</label>{control}'
        f'<small id="hint-{i}">{html.escape(hint)}</small></div>'
    )


def _json_for_script(data: Any) -> str:
    """JSON that can't close the <script> element it sits in."""
    return json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(manifest: Manifest, explain: bool = False, similar: bool = False) -> str:
    """Build the page for the served model: a field per feature, the exported examples.

    `explain`, `similar`: after each answer the page asks `POST /explain` why, and
    `POST /similar` for the training records nearest to it.
    """
    schema = manifest.feature_schema
    answer = schema.spec.describe(schema.classes)
    intro = (
        f"Predicts {schema.target} ({answer}) from {len(schema.features)} features. "
        "Leave a field empty (or “(missing)”) for an unknown value."
    )
    data = {
        "target": schema.target,
        "fields": [
            {"id": f"field-{i}", "name": f.name, "kind": _kind(f)}
            for i, f in enumerate(schema.features)
        ],
        "examples": manifest.examples,
        "explain": explain,
        "similar": similar,
    }
    slots = dict(
        title=html.escape(manifest.name),
        intro=html.escape(intro),
        fields="\n".join(_field(i, f) for i, f in enumerate(schema.features)),
        meta=html.escape(
            f"Model {manifest.name}, version {manifest.version} ({manifest.candidate}), "
            f"the {manifest.alias} in MLflow."
        ),
        data=_json_for_script(data),
    )
    return SLOT.sub(lambda match: slots[match[1]], PAGE)
