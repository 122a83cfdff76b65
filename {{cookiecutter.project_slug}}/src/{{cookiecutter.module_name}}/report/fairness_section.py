"""The model card's fairness section, from the fairness stage's report."""

from __future__ import annotations

from ..fairness.disparity import DISPARITIES
from ..fairness.summary import Disparity, FairnessReport, GroupRule, Mitigation
from ..fairness.tradeoff import disparity_name, disparity_of
from .tables import code, fmt

RATE_NAMES = {
    "selection_rate": "selection rate",
    "true_positive_rate": "true positive rate",
    "false_positive_rate": "false positive rate",
}
LIMITS = (
    "These figures describe this test split and these groups only. A difference in rates can "
    "come from the data (who is in the table, how the outcome was recorded) as much as from "
    "the model, and a small difference does not make a model fair: it is one measurement."
)


def _interval(d: Disparity | None) -> str:
    if d is None:
        return "n/a"
    return f"{fmt(d.value)} [{fmt(d.interval.low)}, {fmt(d.interval.high)}]"


def _groups_table(report: FairnessReport, column: str) -> list[str]:
    measures = list(next(iter(report.models.values())).columns[column].difference)
    header = ["model", "group", "n", *(RATE_NAMES.get(m, code(m)) for m in measures)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, model in report.models.items():
        found = model.columns[column]
        for group, g in found.groups.items():
            size = f"{g.n} (too small to judge)" if g.small else str(g.n)
            cells = [name, code(group), size, *(fmt(g.measures[m]) for m in measures)]
            lines.append("| " + " | ".join(cells) + " |")
        gaps = [fmt(found.difference[m]) + f" (ratio {fmt(found.ratio[m])})" for m in measures]
        lines.append("| " + " | ".join([name, "difference", "", *gaps]) + " |")
    return lines


def _disparity_table(report: FairnessReport, column: str) -> list[str]:
    names = DISPARITIES if report.constraint else ()
    header = ["model", f"{code(report.main_metric)} [95% CI]"]
    header += [f"{n.replace('_', ' ')} difference [95% CI]" for n in names]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, model in report.models.items():
        main = f"{fmt(model.main)} [{fmt(model.interval.low)}, {fmt(model.interval.high)}]"
        found = model.columns[column].disparities
        lines.append(
            "| " + " | ".join([name, main, *(_interval(found.get(n)) for n in names)]) + " |"
        )
    return lines


def _rule(rule: GroupRule) -> str:
    """Say how one group is answered: its thresholds, the share each one answers."""
    # fairlearn mixes the two rules over the rows it does not answer at random.
    kept = 1 - rule.p_random
    shares = [(kept * rule.p0, rule.rule0), (kept * rule.p1, rule.rule1), (rule.p_random, "")]
    found = [
        f"{code(cut)} for {share:.0%} of rows"
        if cut
        else f"{share:.0%} answered positive at random with probability {rule.constant:.2f}"
        for share, cut in shares
        if share >= 0.005  # a share that rounds to 0% is a rule that never answers
    ]
    return ", ".join(found)


GOALS = {
    "equalized_odds": "equal true and false positive rates across groups (equalized odds",
    "demographic_parity": "equal selection rates across groups (demographic parity",
}


def _mitigation(report: FairnessReport, mitigation: Mitigation) -> list[str]:
    column = report.sensitive[0]
    base, mitigated = report.models[mitigation.base], report.models["mitigated"]
    before, _, _ = disparity_of(base, column, report)
    after, _, _ = disparity_of(mitigated, column, report)
    cost = None if base.main is None or mitigated.main is None else mitigated.main - base.main
    return [
        f"The **mitigated** candidate is fairlearn's `ThresholdOptimizer` on the "
        f"{mitigation.base}'s probabilities, fitted on {mitigation.fitted_on} for "
        f"{GOALS[mitigation.constraint]}, `fairness.constraint`). It answers positive when "
        "the probability passes its group's threshold:",
        "",
        *(f"- {code(group)}: {_rule(rule)}" for group, rule in mitigation.rules.items()),
        "",
        f"Against the {mitigation.base}, it moves the {disparity_name(report)} across "
        f"{code(column)} from {fmt(before)} to {fmt(after)}, at a change of {fmt(cost)} in "
        f"{code(report.main_metric)}. It is reported, not served. Its answer depends on chance "
        f"and on {code(column)} itself: serving it would mean asking for {code(column)} with every "
        "request and answering each group by its own rule, a use of the attribute at "
        "decision time that many jurisdictions restrict. The API answers with the "
        "champion; to bound its disparity instead, set `fairness.max_disparity`.",
    ]


def fairness_section(report: FairnessReport | None) -> list[str]:
    """Return the section's lines; none when no column is set (`fairness.sensitive`)."""
    if report is None or not report.sensitive:
        return []
    lines = ["## Fairness", ""]
    for column in report.sensitive:
        lines += [
            f"Groups of {code(column)} on the test split:",
            "",
            *_groups_table(report, column),
            "",
        ]
        lines += [*_disparity_table(report, column), ""]
    if report.constraint:
        lines += [
            "Selection rate is the share of rows answered with the positive class; true and "
            "false positive rates are that share among rows whose true class is positive, and "
            "negative. Demographic parity difference is the largest gap in selection rate "
            "between groups; equalized odds difference the larger of the gaps in true and "
            "false positive rates (fairlearn's definitions).",
            "",
        ]
    if report.champion_rule:
        lines += [report.champion_rule, ""]
    if report.mitigation is not None:
        lines += [*_mitigation(report, report.mitigation), ""]
    elif report.not_mitigated:
        lines += [f"No mitigated candidate: {report.not_mitigated}.", ""]
    lines += ["![Main metric against disparity](fairness/tradeoff.png)", "", LIMITS, ""]
    return lines
