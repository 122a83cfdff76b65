"""The promotion stage: the candidate with the best validation metric becomes @champion."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings
from ..records import CANDIDATES, CHAMPION, Candidate, StageError, load_candidate, save_candidate
from ..tasks import TASKS, MetricError
from ..tracking import promote


@dataclass
class Promotion:
    """The candidates compared, on which metric, and the one that won."""

    metric: str
    champion: Candidate
    candidates: list[Candidate]


def promote_champion(settings: Settings) -> Promotion:
    """Point the champion alias at the candidate with the best validation metric."""
    models = settings.paths.models
    candidates = [load_candidate(models, name) for name in CANDIDATES]
    try:
        metric = TASKS[candidates[0].task].resolve_champion(settings.mlflow.champion_metric)
    except MetricError as exc:
        raise StageError(str(exc)) from None
    winner = promote({c.version: c.metrics[metric] for c in candidates}, metric, settings.mlflow)
    champion = next(c for c in candidates if c.version == winner)
    save_candidate(models, champion, as_name=CHAMPION)
    return Promotion(metric, champion, candidates)
