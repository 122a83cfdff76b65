"""What a reader of the results must know before trusting them, as plain sentences.

They go to `reports/metrics.json` (`warnings`) and to the model card, most important first.
"""

from __future__ import annotations

from ..metric_names import greater_is_better
from ..schema import FeatureSchema
from .summary import Summary

MIN_SPLIT_ROWS = 30  # fewer validation or test rows than this: noisy scores
MIN_TRAIN_ROWS = 100  # fewer training rows than this: little to learn from
MIN_CLASS_SHARE = 0.05  # a rarer class is easy to ignore while accuracy looks fine


def _beats_floor(summary: Summary) -> str | None:
    """Say so when the champion's interval of the main metric reaches the floor."""
    main, champion = summary.main_metric, summary.champion
    interval, floor = summary.models[champion].interval, summary.floor.get(main)
    if interval.low is None or interval.high is None or floor is None:
        return None
    bound = interval.low if greater_is_better(main) else interval.high
    if (bound > floor) if greater_is_better(main) else (bound < floor):
        return None
    return (
        f"The champion ({champion}) is not clearly better than a model that knows no feature: "
        f"its 95% interval of {main}, {interval.low:.4f} to {interval.high:.4f}, reaches the "
        f"floor of {floor:.4f}."
    )


def _small(rows: dict[str, int], fitted: int) -> list[str]:
    found = [
        f"The {name} split has {rows[split]} rows (fewer than {MIN_SPLIT_ROWS}): its scores, "
        "and what was chosen on them, are noisy."
        for split, name in (("val", "validation"), ("test", "test"))
        if rows[split] < MIN_SPLIT_ROWS
    ]
    if fitted < MIN_TRAIN_ROWS:
        found.append(
            f"The champion fitted on {fitted} rows (fewer than {MIN_TRAIN_ROWS}): "
            "expect them to do worse on new rows than these scores say."
        )
    return found


def _rarest(class_balance: dict[str, int]) -> list[str]:
    if not class_balance:
        return []
    label, n = min(class_balance.items(), key=lambda item: item[1])
    share = n / sum(class_balance.values())
    if share >= MIN_CLASS_SHARE:
        return []
    return [
        f"The rarest class, {label!r}, is {share:.1%} of the training rows: accuracy can look "
        "good while it is never predicted; read balanced accuracy, per-class recall and the "
        "confusion matrix."
    ]


def _left_out(schema: FeatureSchema) -> list[str]:
    found = []
    if schema.rare_classes:
        classes = ", ".join(f"{c!r} ({n} rows)" for c, n in schema.rare_classes.items())
        found.append(
            f"Classes dropped for having too few rows to appear in every split "
            f"(data.min_class_rows): {classes}; the model never predicts them."
        )
    if schema.ignored:
        columns = ", ".join(f"{c!r} ({why})" for c, why in schema.ignored.items())
        found.append(f"Columns left out of the model: {columns}.")
    return found


def _undefined(summary: Summary, validation: dict[str, dict[str, float | None]]) -> list[str]:
    found = []
    for name, scores in summary.models.items():
        for split, metrics in (("test", scores.test), ("validation", validation.get(name, {}))):
            missing = [m.removeprefix("val_") for m, value in metrics.items() if value is None]
            if missing:
                found.append(
                    f"{', '.join(missing)} of {name} on the {split} split: undefined on those "
                    "rows (null in metrics.json; e.g. a class with no rows there)."
                )
    return found


def caveats(
    summary: Summary,
    schema: FeatureSchema,
    rows: dict[str, int],
    fitted: int,
    class_balance: dict[str, int],
    validation: dict[str, dict[str, float | None]],
    promotion: str = "",
) -> list[str]:
    """Return the warnings for these results, most important first.

    `rows` are the rows per split, `fitted` the rows the champion fitted on, `class_balance`
    the training rows per class (empty for values), `validation` each candidate's scores,
    `promotion` why the best candidate was not promoted (or was, though short of its floor).
    """
    floor = _beats_floor(summary)
    found = [f"Promotion: {promotion}."] if promotion else []
    found += [floor] if floor else []
    found += _small(rows, fitted) + _rarest(class_balance) + _left_out(schema)
    return found + _undefined(summary, validation)
