"""The fairness stage's result, typed: what `reports/fairness/fairness.json` holds."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from ..evaluation.summary import Interval


class GroupMeasures(BaseModel):
    """One group of a sensitive column on the test split.

    Rates (two classes only) read the answers: the share answered positive, and that share
    among rows whose true class is positive (true positive rate) or negative (false).
    """

    n: int
    small: bool  # fewer test rows than `evaluation.min_slice_size`: too few to judge
    measures: dict[str, float | None]  # the main metric, and the rates with two classes


class Disparity(BaseModel):
    """A disparity between groups (0: none) with its 95% bootstrap interval."""

    value: float | None
    interval: Interval


class ColumnFairness(BaseModel):
    """One model across the groups of one sensitive column."""

    groups: dict[str, GroupMeasures]
    difference: dict[str, float | None]  # per measure: largest group value minus smallest
    ratio: dict[str, float | None]  # per measure: smallest group value over largest
    # Two classes: demographic parity and equalized odds differences (fairlearn's).
    disparities: dict[str, Disparity] = {}


class ModelFairness(BaseModel):
    """One model on the test split: its main metric, and each sensitive column."""

    main: float | None
    interval: Interval
    columns: dict[str, ColumnFairness]


class GroupRule(BaseModel):
    """The mitigated model's answer for one group: a random mix of two thresholds."""

    p0: float  # the share of rows answered by the first rule
    rule0: str  # e.g. "> 0.734": answered positive when P(positive) passes it
    p1: float
    rule1: str
    p_random: float = 0.0  # the share answered positive with probability `constant` instead
    constant: float = 0.0


class Mitigation(BaseModel):
    """How the mitigated candidate was made, and why it is not served."""

    base: str  # the candidate whose probabilities it post-processes
    constraint: str
    fitted_on: str  # in words: "the 1045 rows of the validation split"
    rules: dict[str, GroupRule]  # by group


class FairnessReport(BaseModel):
    """Every candidate, and the mitigated one, across the sensitive columns."""

    sensitive: list[str]  # empty: nothing was assessed (`fairness.sensitive`)
    main_metric: str = ""
    constraint: str = ""  # the disparity the mitigated candidate reduces, and the figure plots
    models: dict[str, ModelFairness] = {}
    mitigation: Mitigation | None = None
    not_mitigated: str = ""  # why there is no mitigated candidate, as a sentence
    champion_rule: str = ""  # how `fairness.max_disparity` chose the champion; '': unbounded
    warnings: list[str] = []

    @classmethod
    def read(cls, path: Path) -> FairnessReport | None:
        """Read a written report; None if there is none."""
        if not path.is_file():
            return None
        return cls.model_validate_json(path.read_text(encoding="utf-8"))
