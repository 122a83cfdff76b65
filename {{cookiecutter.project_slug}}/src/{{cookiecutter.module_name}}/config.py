"""Typed settings read from `params.yaml`, the one file that holds every parameter."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import ValidationError

from .search_space import TuneSettings
from .sections import (
    BaselineSettings,
    DataSettings,
    EvaluationSettings,
    FairnessSettings,
    ImbalanceSettings,
    MlflowSettings,
    Paths,
    Section,
    SelectionSettings,
    TorchSettings,
)
from .serving_sections import ExplainSettings, ServingSettings, SimilarSettings
from .tasks import TaskChoice

DEFAULT_PARAMS = Path("params.yaml")


class SettingsError(ValueError):
    """Raised when `params.yaml` is missing or holds a value that can't be used."""


class Settings(Section):
    """Everything the pipeline and the server read."""

    seed: int = 42
    # auto: decided from the target by the data step, which records it in the schema.
    task: TaskChoice = "auto"
    data: DataSettings = DataSettings()
    baseline: BaselineSettings = BaselineSettings()
    torch: TorchSettings = TorchSettings()
    selection: SelectionSettings = SelectionSettings()
    imbalance: ImbalanceSettings = ImbalanceSettings()
    mlflow: MlflowSettings
    evaluation: EvaluationSettings = EvaluationSettings()
    fairness: FairnessSettings = FairnessSettings()
    serving: ServingSettings = ServingSettings()
    explain: ExplainSettings = ExplainSettings()
    similar: SimilarSettings = SimilarSettings()
    tune: TuneSettings = TuneSettings()
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
