"""The promotion stage: the candidate with the best validation metric becomes @champion.

With `fairness.max_disparity` set, the best among those within the bound (`fairness.rule`).
Unless it doesn't beat its floor: @champion then stays on a previous champion, whose
serving bundle the export stage restores, and the card says why. With no previous
champion to fall back on, the winner is promoted anyway and the card warns.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..config import Settings
from ..data.splits import load_splits
from ..fairness.rule import Bounded, selection_disparity, within_bound
from ..held_out import held_out_rows, load_held_out
from ..metric_names import MetricError, greater_is_better
from ..records import (
    CANDIDATES,
    CHAMPION,
    Candidate,
    Champion,
    StageError,
    load_candidate,
    save_candidate,
)
from ..tasks import TASKS
from ..tracking import best_version, servable_champion, set_champion


@dataclass
class Promotion:
    """The candidates compared, on which metric, and the one that won."""

    metric: str
    champion: Champion
    candidates: list[Candidate]


def promote_champion(settings: Settings) -> Promotion:
    """Point the champion alias at the best candidate, if it beats its floor."""
    models, cfg = settings.paths.models, settings.mlflow
    candidates = [load_candidate(models, name) for name in CANDIDATES]
    spec = TASKS[candidates[0].task]
    try:
        metric = spec.resolve_champion(cfg.champion_metric)
        main = spec.resolve_main(settings.evaluation.main_metric)
    except MetricError as exc:
        raise StageError(str(exc)) from None
    bounded = _bounded(settings, candidates)
    allowed = bounded.allowed if bounded else [c.name for c in candidates]
    scores = {c.version: c.metrics[metric] for c in candidates if c.name in allowed}
    winner = best_version(scores, greater_is_better(metric))
    best = next(c for c in candidates if c.version == winner)
    served, reason = winner, _short_of_floor(best, main, cfg.floor_margin)
    previous = servable_champion(cfg) if reason else None
    if reason and previous is not None and str(previous.version) != winner:
        served = str(previous.version)
        reason += f": @champion stays on version {served}, which is still served"
    elif reason:
        reason += "; with no previous champion to keep, it is promoted anyway"
    promoted = served == winner
    if bounded and bounded.short:  # a warning, not a reason to keep the previous champion
        reason = f"{bounded.short}; {reason}" if reason else bounded.short
    set_champion(cfg, winner, best.run_id, promoted, reason)
    rule = bounded.said if bounded else ""
    champion = Champion(**asdict(best), promoted=promoted, served=served, reason=reason, rule=rule)
    save_candidate(models, champion, as_name=CHAMPION)
    return Promotion(metric, champion, candidates)


def _bounded(settings: Settings, candidates: list[Candidate]) -> Bounded | None:
    """Measure each candidate's disparity on its held-out outputs; None: no bound is set."""
    cfg, models = settings.fairness, settings.paths.models
    if cfg.max_disparity is None:
        return None
    splits, schema = load_splits(settings.paths.processed)
    try:  # the data stage checked them; params.yaml may have changed since
        schema.check_slices(cfg.sensitive, "fairness.sensitive")
        schema.check_bound(cfg.sensitive)
    except ValueError as exc:
        raise StageError(str(exc)) from None
    disparity = {}
    for c in candidates:
        held = load_held_out(models, c.name)
        rows = held_out_rows(splits, held)
        disparity[c.name] = selection_disparity(
            rows, held, schema, c.threshold, cfg.sensitive, cfg.constraint
        )
    return within_bound(disparity, cfg.max_disparity, cfg.constraint)


def _short_of_floor(candidate: Candidate, main: str, margin: float) -> str:
    """Say how the candidate's main metric falls short of its floor plus the margin; or ''."""
    score, floor = candidate.metrics.get(f"val_{main}"), candidate.floor
    if score is None or floor is None:
        return f"the {candidate.name}'s `{main}` or its floor is undefined on the selection rows"
    gain = score - floor if greater_is_better(main) else floor - score
    if gain > margin:
        return ""
    return (
        f"the {candidate.name} (version {candidate.version}) scores {score:.4g} `{main}` against "
        f"a floor of {floor:.4g} on the selection rows, not more than {margin:g} better "
        "(`mlflow.floor_margin`)"
    )
