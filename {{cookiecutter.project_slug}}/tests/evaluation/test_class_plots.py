"""Class figures stay readable with many classes: the frequent ones, the rest as "other"."""

import numpy as np
import pytest

from {{ cookiecutter.module_name }}.decision import Decision
from {{ cookiecutter.module_name }}.evaluation import class_plots, figure


def test_the_most_frequent_classes_are_shown_in_the_classes_order():
    y = np.array(["c"] * 5 + ["a"] * 3 + ["b"] * 1)
    assert class_plots.frequent(y, ("a", "b", "c"), k=2) == ["a", "c"]


@pytest.mark.parametrize("kind", ["confusion", "roc", "precision_recall", "calibration"])
def test_fifty_classes_draw(kind, tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    classes = tuple(f"k{i:02d}" for i in range(50))
    y = rng.choice(classes, 500)
    proba = rng.dirichlet(np.ones(50), 500)
    drawn = []
    original = figure.save

    def keep(fig, path):
        drawn.append(fig)
        return original(fig, path)

    monkeypatch.setattr(class_plots, "save", keep)
    path = getattr(class_plots, kind)(y, proba, Decision(classes), "mlp", tmp_path / "f.png")
    assert path.stat().st_size > 0
    [axes, *_] = drawn[0].axes
    if kind == "confusion":
        assert len(axes.get_xticklabels()) == class_plots.SHOWN + 1  # ten, and "(other)"
    if kind in ("roc", "precision_recall"):
        curves = [line for line in axes.get_lines() if not line.get_label().startswith("chance")]
        assert len(curves) == class_plots.SHOWN
