"""The sections of params.yaml, one pydantic model each; `config.Settings` holds them all."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    model_validator,
)

from .metric_names import VALIDATION
from .section_types import Column, DownloadLimits, one_of
from .tasks import INTERVAL_METRICS, METRIC_NAMES


class Section(BaseModel):
    """A part of params.yaml: frozen, and a typo fails loudly rather than keep a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SyntheticSettings(Section):
    """Size of the table that `data.source: synthetic` generates (target column: `label`)."""

    rows: PositiveInt = 100_000
    numeric_features: NonNegativeInt = 16
    categorical_features: NonNegativeInt = 4
    classes: int = Field(3, ge=2)
    seed: int = 0

    @model_validator(mode="after")
    def _has_features(self) -> SyntheticSettings:
        if self.numeric_features + self.categorical_features == 0:
            raise ValueError("numeric_features + categorical_features must be at least 1")
        return self


class DataSettings(Section):
    """Where the table comes from and how it is split."""

    source: str = "penguins"
    # A file outside `paths.raw`, which DVC watches, could change without rerunning anything.
    allow_outside: bool = False
    download: DownloadLimits = DownloadLimits()
    synthetic: SyntheticSettings = SyntheticSettings()
    target: Column = "species"
    drop: list[Column] = []
    categorical: list[Column] = []  # treat as categories whatever the dtype, e.g. integer codes
    numeric: list[Column] = []  # treat as numbers, e.g. text columns that hold numbers
    test_size: float = Field(0.2, gt=0, lt=1)
    val_size: float = Field(0.2, gt=0, lt=1)
    # Classes with fewer rows are dropped, with a warning; None: the fewest that a split
    # puts in train, validation and test (7 with the default sizes).
    min_class_rows: PositiveInt | None = None

    @model_validator(mode="after")
    def _leave_rows_for_training(self) -> DataSettings:
        if self.test_size + self.val_size >= 0.9:
            raise ValueError("test_size + val_size must stay below 0.9 to leave rows for training")
        return self

    @model_validator(mode="after")
    def _one_role_per_column(self) -> DataSettings:
        roles = {"target": [self.target], "drop": self.drop}
        roles |= {"categorical": self.categorical, "numeric": self.numeric}
        seen: dict[str, str] = {}
        for role, columns in roles.items():
            for name in columns:
                if name in seen:
                    raise ValueError(f"column {name!r} is listed as both {seen[name]} and {role}")
                seen[name] = role
        return self


class BaselineSettings(Section):
    """Logistic regression (classification) or ridge regression on the shared preprocessing."""

    C: PositiveFloat = 1.0  # logistic regression: inverse regularization strength
    max_iter: PositiveInt = 1000
    alpha: PositiveFloat = 1.0  # ridge regression: regularization strength
    max_rows: PositiveInt | None = None  # fit on a sample this big (classes stratified); None: all


class TorchSettings(Section):
    """The MLP and its training loop."""

    hidden_sizes: list[PositiveInt] = Field(default=[64, 32], min_length=1)
    dropout: float = Field(0.1, ge=0, lt=1)
    epochs: PositiveInt = 200
    batch_size: PositiveInt = 32
    lr: PositiveFloat = 3e-3
    weight_decay: NonNegativeFloat = 1e-4
    patience: PositiveInt = 15
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    # Under torchrun: ddp gives each process a copy of the network; fsdp, a shard of it.
    strategy: Literal["ddp", "fsdp"] = "ddp"


class SelectionSettings(Section):
    """How the champion is chosen: on rows that no candidate fitted or stopped on."""

    # Fewer training + validation rows than this: k-fold cross-validation over both, the same
    # folds for every candidate, then a refit on all of them; more: the validation split.
    cv_below_rows: PositiveInt = 2000
    folds: int = Field(5, ge=2)
    stop_share: float = Field(0.15, gt=0, lt=0.5)  # of the MLP's rows, held out to stop it


class ImbalanceSettings(Section):
    """Classes of unequal size (classification only): loss weights and the decision rule."""

    # balanced: each class weighs rows / (classes x its rows) in both candidates' loss.
    class_weight: Literal["balanced"] | None = None
    # Binary targets. tuned: the cut on the positive class's probability that maximizes the
    # main metric on held-out rows; argmax: the likelier class; a number in (0, 1): that cut.
    threshold: Literal["tuned", "argmax"] | Annotated[float, Field(gt=0, lt=1)] = "tuned"


class MlflowSettings(Section):
    """Tracking store, experiment and registry names, and how the champion is chosen."""

    tracking_uri: str = "sqlite:///mlflow.db"
    experiment: str
    registered_model: str
    # Selection scores only (the test split is for the report); auto: val_log_loss or val_rmse.
    champion_metric: Annotated[str, one_of(VALIDATION + m for m in METRIC_NAMES)] = "auto"
    # @champion moves only to a winner whose main metric beats its floor by more than this
    # (in the metric's units, on the selection rows); else the previous champion stays.
    floor_margin: NonNegativeFloat = 0.0


class EvaluationSettings(Section):
    """How the test split is scored and reported."""

    # A metric of answers, defined on every slice and resample; auto: balanced_accuracy or rmse.
    main_metric: Annotated[str, one_of(INTERVAL_METRICS)] = "auto"
    slices: list[Column] = []
    min_slice_size: PositiveInt = 10
    bootstrap: PositiveInt = 1000
    importance_repeats: PositiveInt = 5
    importance_rows: PositiveInt = 10_000  # test rows drawn per repeat, at most


class FairnessSettings(Section):
    """Groups the model is compared across; a mitigated model and a champion rule (binary)."""

    sensitive: list[Column] = []  # categorical features; empty: no fairness section
    # The difference that the mitigated model equalizes and that `max_disparity` bounds.
    constraint: Literal["equalized_odds", "demographic_parity"] = "equalized_odds"
    # The champion: the best candidate whose `constraint` on the selection rows is at most this.
    max_disparity: float | None = Field(None, ge=0, le=1)  # None: no bound


class Paths(Section):
    """Where each step writes; relative to the project root."""

    raw: Path = Path("data/raw")  # the tables `data.source` may read; DVC watches it
    processed: Path = Path("data/processed")
    models: Path = Path("models")
    onnx: Path = Path("models/onnx")  # every candidate as an ONNX graph
    serving: Path = Path("models/serving")  # the champion's graph and manifest: all serving reads
    reports: Path = Path("reports")
    readme: Path = Path("README.md")
    tuned: Path = Path("tuned.yaml")  # what `make tune` found, which training reads
