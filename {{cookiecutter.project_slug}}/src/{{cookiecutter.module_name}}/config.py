"""Typed settings read from `params.yaml`, the one file that holds every parameter."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    ValidationError,
    model_validator,
)

from .tasks import INTERVAL_METRICS, METRIC_NAMES, VALIDATION, TaskChoice

DEFAULT_PARAMS = Path("params.yaml")


class SettingsError(ValueError):
    """Raised when `params.yaml` is missing or holds a value that can't be used."""


def _one_of(names: Iterable[str]) -> AfterValidator:
    """Accept auto or a metric that `tasks` names; the stages check it against the task."""
    choices = ["auto", *names]

    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(f"{value!r} is not a metric here; choose one of {', '.join(choices)}")
        return value

    return AfterValidator(check)


class _Section(BaseModel):
    # A typo in params.yaml must fail loudly rather than silently keep a default.
    model_config = ConfigDict(extra="forbid", frozen=True)


class SyntheticSettings(_Section):
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


class DataSettings(_Section):
    """Where the table comes from and how it is split."""

    source: str = "penguins"
    synthetic: SyntheticSettings = SyntheticSettings()
    target: str = "species"
    drop: list[str] = []
    categorical: list[str] = []  # treat as categories whatever the dtype, e.g. integer codes
    numeric: list[str] = []  # treat as numbers, e.g. text columns that hold numbers
    test_size: float = Field(0.2, gt=0, lt=1)
    val_size: float = Field(0.2, gt=0, lt=1)

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


class BaselineSettings(_Section):
    """Logistic regression (classification) or ridge regression on the shared preprocessing."""

    C: PositiveFloat = 1.0  # logistic regression: inverse regularization strength
    max_iter: PositiveInt = 1000
    alpha: PositiveFloat = 1.0  # ridge regression: regularization strength
    max_rows: PositiveInt | None = None  # fit on a sample this big (classes stratified); None: all


class TorchSettings(_Section):
    """The MLP and its training loop."""

    hidden_sizes: list[PositiveInt] = Field(default=[64, 32], min_length=1)
    dropout: float = Field(0.1, ge=0, lt=1)
    epochs: PositiveInt = 200
    batch_size: PositiveInt = 32
    lr: PositiveFloat = 3e-3
    weight_decay: NonNegativeFloat = 1e-4
    patience: PositiveInt = 15
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"


class MlflowSettings(_Section):
    """Tracking store, experiment and registry names, and how the champion is chosen."""

    tracking_uri: str = "sqlite:///mlflow.db"
    experiment: str
    registered_model: str
    # Validation metrics only: the test split is kept for the final report. Whether higher
    # or lower is better follows from the metric; auto: val_log_loss, or val_rmse.
    champion_metric: Annotated[str, _one_of(VALIDATION + m for m in METRIC_NAMES)] = "auto"


class EvaluationSettings(_Section):
    """How the test split is scored and reported."""

    # Classification: a metric of predicted labels, so that it is defined on every slice and
    # resample. auto: balanced_accuracy, or rmse for regression.
    main_metric: Annotated[str, _one_of(INTERVAL_METRICS)] = "auto"
    slices: list[str] = []
    min_slice_size: PositiveInt = 10
    bootstrap: PositiveInt = 1000
    importance_repeats: PositiveInt = 5
    importance_rows: PositiveInt = 10_000  # test rows drawn per repeat, at most


class ServingSettings(_Section):
    """What the server runs and the limits of its API."""

    int8: bool = False  # serve the MLP's dynamically quantized graph when the MLP is champion
    max_body_bytes: PositiveInt = 1_048_576  # larger request bodies get a 413
    max_batch: PositiveInt = 10_000  # longer `records` lists get a 422
    examples: NonNegativeInt = 20  # test rows shipped with the model for the demo page


class Paths(_Section):
    """Where each step writes; relative to the project root."""

    processed: Path = Path("data/processed")
    models: Path = Path("models")
    onnx: Path = Path("models/onnx")  # every candidate as an ONNX graph
    serving: Path = Path("models/serving")  # the champion's graph and manifest: all serving reads
    reports: Path = Path("reports")
    readme: Path = Path("README.md")


class Settings(_Section):
    """Everything the pipeline and the server read."""

    seed: int = 42
    # auto: decided from the target by the data step, which records it in the schema.
    task: TaskChoice = "auto"
    data: DataSettings = DataSettings()
    baseline: BaselineSettings = BaselineSettings()
    torch: TorchSettings = TorchSettings()
    mlflow: MlflowSettings
    evaluation: EvaluationSettings = EvaluationSettings()
    serving: ServingSettings = ServingSettings()
    paths: Paths = Paths()


def load_settings(path: Path | str = DEFAULT_PARAMS) -> Settings:
    """Read and validate `params.yaml`; errors name the file and the key.

    MLFLOW_TRACKING_URI, when set, replaces `mlflow.tracking_uri`, as MLflow's own tools do.
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise SettingsError(f"{path}: file not found (run from the project root)") from None
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: not valid YAML: {exc}") from None
    if os.environ.get("MLFLOW_TRACKING_URI") and isinstance(raw.get("mlflow"), dict):
        raw["mlflow"]["tracking_uri"] = os.environ["MLFLOW_TRACKING_URI"]
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(part) for part in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise SettingsError(f"{path}: {details}") from None
