"""The explain stage: SHAP values of the served model's answers on a sample of test rows.

Reads the serving bundle (graph and background) and `explain`; writes `reports/explain/`
(each feature's mean absolute contribution, and shap's beeswarm), which the evaluate stage
puts in the model card beside permutation importance, and logs both to the served run.
With `explain.endpoint: false` no background ships and nothing is explained. Delete this
stage, `explain/` and the card's SHAP lines to go without.
"""

from __future__ import annotations

from ..bundle import load_bundle
from ..config import Settings
from ..data.splits import load_splits
from ..explain.over_rows import summarise
from ..explain.shapley import Explainer, read_background
from ..explain.summary import ShapSummary
from ..features import feature_frame, rows_of
from ..files import replace_folder
from ..tracking import log_evaluation

REPORT, FIGURE = "shap.json", "shap_summary.png"


def explain_served(settings: Settings) -> ShapSummary:
    """Explain the served model's answers on up to `explain.report_rows` test rows."""
    paths, cfg = settings.paths, settings.explain
    out = paths.reports / "explain"
    bundle = load_bundle(paths.serving)
    manifest, model = bundle.manifest, bundle.model
    background = read_background(bundle)
    summary, figure = ShapSummary(model=manifest.candidate, rows=0, exact=False), None
    if background and cfg.endpoint:
        test = load_splits(paths.processed)[0]["test"]
        sample = test.sample(min(cfg.report_rows, len(test)), random_state=settings.seed)
        explainer = Explainer(model, background, cfg)
        rows = rows_of(feature_frame(model.schema, sample))
        summary, figure = summarise(explainer, rows, manifest.candidate)
    files: dict[str, str | bytes] = {REPORT: summary.model_dump_json(indent=2) + "\n"}
    if figure is not None:
        files[FIGURE] = figure
    replace_folder(out, files)
    if figure is not None:
        log_evaluation(manifest.run_id, {}, [out / FIGURE], settings.mlflow)
    return summary
