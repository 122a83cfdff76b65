"""The card's fairness section: there only when a sensitive column is set, true to the report."""

from {{ cookiecutter.module_name }}.evaluation.summary import Interval
from {{ cookiecutter.module_name }}.fairness.summary import (
    ColumnFairness,
    Disparity,
    FairnessReport,
    GroupMeasures,
    GroupRule,
    Mitigation,
    ModelFairness,
)
from {{ cookiecutter.module_name }}.report.fairness_section import fairness_section
from {{ cookiecutter.module_name }}.report.tables import fmt


def model(main: float, disparity: float, small: bool = False) -> ModelFairness:
    measures = {"balanced_accuracy": main, "selection_rate": 0.5}
    groups = {
        "a": GroupMeasures(n=40, small=False, measures=measures),
        "b": GroupMeasures(n=5 if small else 40, small=small, measures=measures),
    }
    found = Disparity(value=disparity, interval=Interval(low=disparity / 2, high=disparity * 2))
    column = ColumnFairness(
        groups=groups,
        difference={"balanced_accuracy": 0.01, "selection_rate": disparity},
        ratio={"balanced_accuracy": 0.99, "selection_rate": 0.5},
        disparities={"demographic_parity": found, "equalized_odds": found},
    )
    return ModelFairness(
        main=main, interval=Interval(low=main - 0.1, high=main + 0.1), columns={"colour": column}
    )


MITIGATION = Mitigation(
    base="baseline",
    constraint="equalized_odds",
    fitted_on="the 1045 rows of the validation split",
    rules={"a": GroupRule(p0=1.0, rule0="> 0.700", p1=0.0, rule1="> 0.600")},
)
REPORT = FairnessReport(
    sensitive=["colour"],
    main_metric="balanced_accuracy",
    constraint="equalized_odds",
    models={"baseline": model(0.7, 0.36), "mlp": model(0.72, 0.38), "mitigated": model(0.61, 0.05)},
    mitigation=MITIGATION,
)


def test_no_section_without_a_sensitive_column():
    assert fairness_section(None) == []
    assert fairness_section(FairnessReport(sensitive=[])) == []


def test_the_section_shows_groups_disparities_and_the_mitigation_cost():
    text = "\n".join(fairness_section(REPORT))
    assert text.startswith("## Fairness")
    assert "| baseline | `a` | 40 |" in text
    assert "| mitigated | 0.6100 [0.5100, 0.7100] | 0.0500 [0.0250, 0.1000] |" in text
    assert f"from {fmt(0.36)} to {fmt(0.05)}" in text
    assert f"change of {fmt(0.61 - 0.7)} in `balanced_accuracy`" in text
    assert "- `a`: `> 0.700` for 100% of rows\n" in text  # the rule that never answers is left out
    assert "reported, not served" in text
    assert "fairness/tradeoff.png" in text


def test_small_groups_are_marked_and_no_mitigation_is_explained():
    report = REPORT.model_copy(
        update={
            "models": {"baseline": model(0.7, 0.3, small=True)},
            "mitigation": None,
            "not_mitigated": "fairlearn's post-processing takes two classes only",
        }
    )
    text = "\n".join(fairness_section(report))
    assert "| baseline | `b` | 5 (too small to judge) |" in text
    assert "No mitigated candidate: fairlearn's post-processing takes two classes only." in text


def test_the_trained_card_has_the_section_only_when_a_column_is_set(trained):
    card = (trained.settings.paths.reports / "model_card.md").read_text()
    assert ("## Fairness" in card) == bool(trained.settings.fairness.sensitive)
    written = FairnessReport.read(trained.settings.paths.reports / "fairness" / "fairness.json")
    assert written is not None
    for name, found in written.models.items():
        main = f"| {name} | {fmt(found.main)} [{fmt(found.interval.low)}, "
        assert main in card


def test_rule_shares_add_up_to_all_rows_with_a_random_part():
    rule = GroupRule(p0=0.5, rule0="> 0.800", p1=0.5, rule1="> 0.600", p_random=0.2, constant=0.3)
    mitigation = MITIGATION.model_copy(update={"rules": {"a": rule}})
    text = "\n".join(fairness_section(REPORT.model_copy(update={"mitigation": mitigation})))
    assert (
        "- `a`: `> 0.800` for 40% of rows, `> 0.600` for 40% of rows, "
        "20% answered positive at random with probability 0.30\n"
    ) in text


def test_the_champion_rule_is_said_only_when_a_bound_is_set():
    said = "Champion rule (`fairness.max_disparity` = 0.2): the best candidate whose ..."
    assert said in fairness_section(REPORT.model_copy(update={"champion_rule": said}))
    assert not any(line.startswith("Champion rule") for line in fairness_section(REPORT))
