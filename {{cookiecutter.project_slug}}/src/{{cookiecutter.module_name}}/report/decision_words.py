"""How the card says the champion turns probabilities into an answer, and why."""

from __future__ import annotations

from ..schema import FeatureSchema
from ..sections import ImbalanceSettings
from .tables import code


def decision_words(
    schema: FeatureSchema, threshold: float | None, cfg: ImbalanceSettings, main: str
) -> str:
    """One or two sentences: the decision rule, where its threshold came from, class weights."""
    weights = (
        " Both candidates weighed each class by the inverse of its share "
        "(`imbalance.class_weight: balanced`)."
        if cfg.class_weight
        else ""
    )
    if schema.spec.name != "classification":
        return ""
    if threshold is None:
        return f"It answers the likeliest class.{weights}"
    negative, positive = schema.classes
    origin = (
        f"chosen for {code(main)} on the same held-out rows (`imbalance.threshold: tuned`)"
        if cfg.threshold == "tuned"
        else "set by `imbalance.threshold`"
    )
    return (
        f"It answers {code(positive)} when its probability is at least {threshold:.3g}, else "
        f"{code(negative)}: a threshold {origin}; the probabilities it reports are unchanged."
        + weights
    )
