"""The baseline pipeline: named steps, and clearly better than the majority class."""

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.evaluation.metrics import majority_rate
from {{ cookiecutter.module_name }}.features import infer_schema
from {{ cookiecutter.module_name }}.models.baseline import build_baseline


def test_baseline_beats_the_majority_class_clearly(base_settings, prepared):
    model = build_baseline(prepared.schema, base_settings.baseline, base_settings.seed)
    model.fit(prepared.X["train"], prepared.y["train"])
    floor = majority_rate(prepared.y["val"])
    assert model.score(prepared.X["val"], prepared.y["val"]) >= floor + 0.5 * (1 - floor)


def test_baseline_steps_are_named(base_settings, prepared):
    model = build_baseline(prepared.schema, base_settings.baseline, base_settings.seed)
    assert list(model.named_steps) == ["preprocess", "model"]


def test_balanced_class_weights_raise_the_rare_class_probability(base_settings):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=600), "noise": rng.normal(size=600)})
    y = np.where(X["x"] + rng.normal(0, 1.5, 600) > 2.5, "rare", "common")
    schema = infer_schema(X.assign(label=y), "label")
    rare_probability = {}
    for weights in (None, "balanced"):
        model = build_baseline(schema, base_settings.baseline, 0, weights).fit(X, y)
        rare = list(model.classes_).index("rare")
        rare_probability[weights] = model.predict_proba(X)[:, rare].mean()
    assert rare_probability["balanced"] > 2 * rare_probability[None]
