"""What differs between classification and regression, in one place.

Other modules ask the task (`schema.spec`, `TASKS[name]`) instead of branching on it.
Plain Python and numpy only: the server reads it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
import numpy.typing as npt

from .metric_names import VALIDATION, MetricError

Task = Literal["classification", "regression"]
TaskChoice = Literal["auto", "classification", "regression"]  # `task` in params.yaml
Answer = Literal["class", "value"]  # what `POST /predict` answers
Target = npt.NDArray[np.str_] | npt.NDArray[np.float64]  # as models learn it: text, or values
Score = float | None  # a metric; None where the rows scored leave it undefined
Output = npt.NDArray[np.float32]  # one answer of a graph: probabilities, or the value
Explained = tuple[int | None, str]  # the output SHAP explains (a class's column, or None), named


@dataclass(frozen=True)
class _Task:
    """What every task states; `Classification` and `Regression` add what each does."""

    name: Task
    metrics: tuple[str, ...]  # every model is scored with these; the report's columns
    # Metrics of predicted labels (or values): defined on every slice and bootstrap resample.
    interval_metrics: tuple[str, ...]
    main_metric: str  # `evaluation.main_metric: auto`, on the test split
    champion_metric: str  # `mlflow.champion_metric: auto`, on the validation split
    predict_method: Literal["predict_proba", "predict"]  # the output every metric reads
    target_dtype: type[np.str_] | type[np.float64]  # the target as models learn it
    stratified: bool  # whether splits and samples keep the class shares
    floor_name: str  # the trivial predictor's row in the tables
    floor_words: str  # ... and what it means, in the README
    figures: tuple[str, ...]  # reports/figures/<kind>_<model>.png, drawn for each model
    linked_figures: tuple[str, ...]  # the README links these
    importance_metric: str  # the metric that permutation importance watches
    importance_measure: str  # ... and how the figure and the card say it
    explained_words: str  # what SHAP values split among the features, as the card says it
    int8_metric: str  # the score INT8 is compared on
    output: str  # the name of the ONNX graph's output that holds the answer
    answer: Answer

    def targets(self, values: npt.ArrayLike) -> Target:
        """Return a target column as models learn it: labels as text, or values as float64."""
        return cast(Target, np.asarray(values).astype(self.target_dtype))

    def resolve_main(self, choice: str) -> str:
        """Resolve `evaluation.main_metric` for this task; a metric of the other task fails."""
        key = "evaluation.main_metric"
        return self._resolve(choice, self.main_metric, self.interval_metrics, key, "")

    def resolve_champion(self, choice: str) -> str:
        """Resolve `mlflow.champion_metric` for this task; a metric of the other task fails."""
        key = "mlflow.champion_metric"
        return self._resolve(choice, self.champion_metric, self.metrics, key, VALIDATION)

    def _resolve(
        self, choice: str, default: str, allowed: tuple[str, ...], key: str, prefix: str
    ) -> str:
        metric = choice.removeprefix(prefix)
        if metric == "auto":
            return prefix + default
        if metric not in allowed:
            names = ", ".join(["auto", *(prefix + m for m in allowed)])
            raise MetricError(f"{key}: {choice} is not a {self.name} metric; choose one of {names}")
        return choice

    def explained(self, output: Output, chosen: int | None, classes: Sequence[str]) -> Explained:
        """Name what SHAP explains: the answered class's probability, or the value."""
        if self.answer == "value":
            return None, "predicted value"
        index = int(output.argmax()) if chosen is None else chosen  # chosen: by a threshold
        return index, f"probability of {classes[index]}"

    def scored(
        self, output: Output, chosen: npt.NDArray[np.int64] | None, classes: Sequence[str]
    ) -> dict[str, npt.NDArray[np.generic]]:
        """Name the columns that `score` writes: the answer, and each class's probability."""
        if self.answer == "value":
            return {"prediction": output}
        indices = output.argmax(axis=1) if chosen is None else chosen  # chosen: by a threshold
        found = {f"probability_{c}": output[:, j] for j, c in enumerate(classes)}
        return {"prediction": np.asarray(classes, dtype=object)[indices], **found}


@dataclass(frozen=True)
class Classification(_Task):
    """Classes: probabilities per class, the class shares as the floor, a label answered."""

    def classes(self, values: npt.ArrayLike) -> list[str]:
        """Return the classes of a training target, sorted."""
        return sorted(np.unique(np.asarray(values).astype(str)).tolist())

    def value_stats(self, values: npt.ArrayLike) -> None:
        """Classes have no mean or range."""

    def from_graph(self, output: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Return a graph's probabilities as they are: one column per class."""
        return output

    def floor_output(
        self, train: npt.ArrayLike, rows: int, classes: Sequence[str]
    ) -> npt.NDArray[np.float64]:
        """Answer the training shares of the classes in every row: the floor a model must beat.

        Its accuracy is the majority rate, its balanced accuracy 1/K, its ROC AUC 0.5.
        """
        labels = np.asarray(train).astype(str)
        shares = np.array([np.mean(labels == c) for c in classes], dtype=np.float64)
        return np.tile(shares, (rows, 1))

    def describe(self, classes: Sequence[str]) -> str:
        """Say what the model predicts: its classes."""
        return ", ".join(classes)


@dataclass(frozen=True)
class Regression(_Task):
    """Values: one number per row, the training mean as the floor, a number answered."""

    def classes(self, values: npt.ArrayLike) -> list[str]:
        """Values have no classes."""
        return []

    def value_stats(self, values: npt.ArrayLike) -> dict[str, float]:
        """Return mean, standard deviation, min and max of a training target."""
        y = np.asarray(values, dtype=np.float64)
        stats = {"mean": y.mean(), "std": y.std(ddof=1), "min": y.min(), "max": y.max()}
        return {name: float(value) for name, value in stats.items()}

    def from_graph(self, output: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Return a graph's one output column as one value per row."""
        return output[:, 0]

    def floor_output(
        self, train: npt.ArrayLike, rows: int, classes: Sequence[str]
    ) -> npt.NDArray[np.float64]:
        """Answer the training mean in every row: the floor a model must beat."""
        return np.full(rows, float(np.mean(np.asarray(train, dtype=np.float64))))

    def describe(self, classes: Sequence[str]) -> str:
        """Say what the model predicts: a number."""
        return "a number"


TaskSpec = Classification | Regression


CLASSIFICATION = Classification(
    name="classification",
    metrics=("accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "log_loss"),
    interval_metrics=("accuracy", "balanced_accuracy", "f1_macro"),
    main_metric="balanced_accuracy",
    champion_metric="log_loss",
    predict_method="predict_proba",
    target_dtype=np.str_,
    stratified=True,
    floor_name="class shares",
    floor_words="the class-shares row answers each class's training share, knowing no feature",
    figures=("confusion", "roc", "pr", "calibration"),
    linked_figures=("confusion", "roc", "calibration", "importance"),
    importance_metric="balanced_accuracy",
    importance_measure="drop in balanced accuracy",
    explained_words="the probability of the class answered",
    int8_metric="accuracy",
    output="probabilities",
    answer="class",
)
REGRESSION = Regression(
    name="regression",
    metrics=("rmse", "mae", "r2"),
    interval_metrics=("rmse", "mae", "r2"),
    main_metric="rmse",
    champion_metric="rmse",
    predict_method="predict",
    target_dtype=np.float64,
    stratified=False,
    floor_name="mean predictor",
    floor_words="the mean-predictor row answers the training mean, knowing no feature",
    figures=("predicted", "residuals"),
    linked_figures=("predicted", "residuals", "importance"),
    importance_metric="rmse",
    importance_measure="rise in RMSE",
    explained_words="the predicted value",
    int8_metric="rmse",
    output="prediction",
    answer="value",
)
TASKS: dict[Task, TaskSpec] = {spec.name: spec for spec in (CLASSIFICATION, REGRESSION)}
METRIC_NAMES = tuple(dict.fromkeys(m for spec in TASKS.values() for m in spec.metrics))
INTERVAL_METRICS = tuple(dict.fromkeys(m for s in TASKS.values() for m in s.interval_metrics))
