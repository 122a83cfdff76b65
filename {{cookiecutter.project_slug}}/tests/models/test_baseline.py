"""The baseline pipeline: named steps, and clearly better than the majority class."""

from {{ cookiecutter.module_name }}.evaluation.metrics import majority_rate
from {{ cookiecutter.module_name }}.models.baseline import build_baseline


def test_baseline_beats_the_majority_class_clearly(base_settings, prepared):
    model = build_baseline(prepared.schema, base_settings.baseline, base_settings.seed)
    model.fit(prepared.X["train"], prepared.y["train"])
    floor = majority_rate(prepared.y["val"])
    assert model.score(prepared.X["val"], prepared.y["val"]) >= floor + 0.5 * (1 - floor)


def test_baseline_steps_are_named(base_settings, prepared):
    model = build_baseline(prepared.schema, base_settings.baseline, base_settings.seed)
    assert list(model.named_steps) == ["preprocess", "model"]
