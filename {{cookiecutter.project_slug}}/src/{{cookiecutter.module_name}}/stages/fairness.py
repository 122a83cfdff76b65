"""The fairness stage: every candidate across the sensitive columns, and a mitigated one.

Reads `fairness.sensitive`; writes `reports/fairness/` (the report and the trade-off
figure), which the evaluate stage puts in the model card. Nothing is written for the card
when no column is set. Delete this stage, `fairness/` and the card's section to go without.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Settings
from ..data.splits import load_splits
from ..evaluation.metrics import decision_of, model_output
from ..fairness.assess import model_fairness, one_hot, too_small
from ..fairness.logged import MITIGATED, log_fairness
from ..fairness.mitigation import fit_mitigation, group_rules, mitigated_answers
from ..fairness.summary import FairnessReport, Mitigation, ModelFairness
from ..fairness.tradeoff import tradeoff_figure
from ..features import feature_frame, targets
from ..files import replace_folder
from ..held_out import held_out_rows, load_held_out
from ..records import CANDIDATES, StageError, load_candidate, load_champion
from ..schema import FeatureSchema
from ..tasks import Target
from ..training.saved import load_pipeline

REPORT, FIGURE = "fairness.json", "tradeoff.png"


def assess_fairness(settings: Settings) -> FairnessReport:
    """Measure both candidates and the mitigated one on the test split; write the report."""
    cfg, paths = settings.fairness, settings.paths
    out = paths.reports / "fairness"
    splits, schema = load_splits(paths.processed)
    try:  # the data stage checked it; params.yaml may have changed since
        schema.check_slices(cfg.sensitive, "fairness.sensitive")
        metric = schema.spec.resolve_main(settings.evaluation.main_metric)
    except ValueError as exc:
        raise StageError(str(exc)) from None
    if not cfg.sensitive:
        report = FairnessReport(sensitive=[])
        replace_folder(out, {REPORT: report.model_dump_json(indent=2) + "\n"})
        return report
    binary = len(schema.classes) == 2
    test = splits["test"]
    X, y = feature_frame(schema, test), targets(test, schema)
    groups = X[cfg.sensitive]
    models: dict[str, ModelFairness] = {}
    runs: dict[str, str] = {}
    for name in CANDIDATES:
        pipeline, candidate = load_pipeline(paths.models, name), load_candidate(paths.models, name)
        runs[name] = candidate.run_id
        decision = decision_of(pipeline, candidate.threshold)
        output = model_output(pipeline, X, schema.spec)
        models[name] = model_fairness(
            groups, y, output, decision, metric, settings.evaluation, settings.seed
        )
    report = FairnessReport(
        sensitive=list(cfg.sensitive),
        main_metric=metric,
        champion_rule=load_champion(paths.models).rule,
        constraint=cfg.constraint if binary else "",
        models=models,
        not_mitigated=""
        if binary
        else (
            "fairlearn's post-processing (ThresholdOptimizer) takes two classes only; "
            f"this target has {len(schema.classes) or 'no classes: it is a number'}"
        ),
    )
    if binary:
        report = _mitigate(settings, splits, schema, X, y, metric, report)
    report.warnings = too_small(report.models, settings.evaluation.min_slice_size)
    figure = tradeoff_figure(report)
    replace_folder(out, {REPORT: report.model_dump_json(indent=2) + "\n", FIGURE: figure})
    log_fairness(settings.mlflow, report, runs, str(out / FIGURE))
    return report


def _mitigate(
    settings: Settings,
    splits: dict[str, pd.DataFrame],
    schema: FeatureSchema,
    X: pd.DataFrame,
    y: Target,
    metric: str,
    report: FairnessReport,
) -> FairnessReport:
    """Post-process the champion's probabilities on its held-out rows; measure it on test."""
    cfg, models = settings.fairness, settings.paths.models
    champion = load_champion(models)
    held = load_held_out(models, champion.name)
    rows = held_out_rows(splits, held)
    positive = schema.classes[1]
    truth = (targets(rows, schema) == positive).astype(np.int64)
    pipeline = load_pipeline(models, champion.name)
    scores = model_output(pipeline, X, schema.spec)[:, 1]
    try:
        optimizer = fit_mitigation(
            cfg.constraint, metric, held["output_1"].to_numpy(), truth, rows[cfg.sensitive]
        )
        answered = mitigated_answers(optimizer, scores, X[cfg.sensitive], settings.seed)
    except ValueError as exc:  # a group with one class, or none, among the held-out rows
        report.not_mitigated = f"fairlearn could not fit the mitigated candidate: {exc}"
        return report
    decision = decision_of(pipeline)
    report.models[MITIGATED] = model_fairness(
        X[cfg.sensitive], y, one_hot(answered), decision, metric, settings.evaluation, settings.seed
    )
    report.mitigation = Mitigation(
        base=champion.name,
        constraint=cfg.constraint,
        fitted_on=champion.selection,
        rules=group_rules(optimizer),
    )
    return report
