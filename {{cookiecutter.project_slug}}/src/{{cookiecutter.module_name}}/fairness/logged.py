"""The fairness metrics in MLflow: on each candidate's run, and a run of the mitigated one."""

from __future__ import annotations

import re

from ..sections import MlflowSettings
from .summary import FairnessReport, ModelFairness

MITIGATED = "mitigated"  # its run's name, and its name in the report


def fairness_metrics(model: ModelFairness) -> dict[str, float]:
    """Flat MLflow metrics: fair_<column>_<measure>_difference, _ratio, and intervals."""
    found: dict[str, float | None] = {}
    for column, result in model.columns.items():
        prefix = "fair_" + _key(column)
        for measure, value in result.difference.items():
            found[f"{prefix}_{measure}_difference"] = value
        for measure, value in result.ratio.items():
            found[f"{prefix}_{measure}_ratio"] = value
        for name, disparity in result.disparities.items():
            found[f"{prefix}_{name}_difference"] = disparity.value
            found[f"{prefix}_{name}_difference_low"] = disparity.interval.low
            found[f"{prefix}_{name}_difference_high"] = disparity.interval.high
    return {key: value for key, value in found.items() if value is not None}


def log_fairness(
    cfg: MlflowSettings, report: FairnessReport, run_ids: dict[str, str], figure: str
) -> str | None:
    """Add the metrics to the candidates' runs; log the mitigated candidate's run, if any."""
    import mlflow  # here: a stage with no sensitive column logs nothing

    client = mlflow.MlflowClient(cfg.tracking_uri)
    for name, run_id in run_ids.items():
        for key, value in fairness_metrics(report.models[name]).items():
            client.log_metric(run_id, key, value)
        client.log_artifact(run_id, figure, "figures")
    mitigation = report.mitigation
    if mitigation is None:
        return None
    # Beside the candidate it post-processes, in the same experiment.
    experiment = client.get_run(run_ids[mitigation.base]).info.experiment_id
    run_id = str(client.create_run(experiment, run_name=MITIGATED).info.run_id)
    client.set_tag(run_id, "served", "false")  # reported only: see fairness/mitigation.py
    params = {"base": mitigation.base, "constraint": mitigation.constraint}
    params |= {f"rule_{group}": rule.model_dump_json() for group, rule in mitigation.rules.items()}
    for key, text in params.items():
        client.log_param(run_id, _key(key), text)
    model = report.models[MITIGATED]
    test: dict[str, float | None] = {f"test_{report.main_metric}": model.main}
    test |= {"test_interval_low": model.interval.low, "test_interval_high": model.interval.high}
    for key, found in (test | fairness_metrics(model)).items():
        if found is not None:
            client.log_metric(run_id, key, found)
    client.log_artifact(run_id, figure, "figures")
    client.set_terminated(run_id)
    return run_id


def _key(name: str) -> str:
    """Spell a column or group name as MLflow accepts it in a key."""
    return re.sub(r"[^0-9A-Za-z_.-]", "_", name)
