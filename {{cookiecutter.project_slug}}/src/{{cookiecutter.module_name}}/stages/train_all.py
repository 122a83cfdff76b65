"""Every stage after the data step, in dvc.yaml's order, without DVC: `train` alone."""

from __future__ import annotations

from ..config import Settings
from ..records import CANDIDATES
from .evaluate import evaluate_candidates
from .explain import explain_served
from .export import export_models
from .fairness import assess_fairness
from .promote import Promotion, promote_champion
from .train import train_candidate


def train_all(settings: Settings, progress: bool = True) -> Promotion:
    """Train both candidates, promote the champion, export it, assess, explain, evaluate."""
    for name in CANDIDATES:
        train_candidate(settings, name, progress)
    promotion = promote_champion(settings)
    export_models(settings)
    assess_fairness(settings)
    explain_served(settings)
    evaluate_candidates(settings)
    return promotion
