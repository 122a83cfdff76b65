"""The card's hyperparameters: tuned values with how they were searched, or params.yaml's."""

from {{ cookiecutter.module_name }}.report.facts import RunFacts
from {{ cookiecutter.module_name }}.report.tuning_section import tuning_section


def run(**tuning):
    return RunFacts(run_id="r", version="1", train_rows=10, params={}, score=0.1, **tuning)


def test_tuned_values_are_listed_with_how_they_were_searched():
    lines = tuning_section(
        {
            "baseline": run(),
            "mlp": run(
                tuned={"lr": 0.0123456, "hidden_sizes": [64, 32]},
                tuning="tuned with Optuna, the best of 20 trials on the training split",
            ),
        }
    )
    assert lines[0] == "## Hyperparameters"
    assert "- baseline: params.yaml's values, not tuned (`make tune` searches them)" in lines
    assert (
        "- mlp: `lr` 0.01235, `hidden_sizes` [64, 32]; tuned with Optuna, the best of 20 "
        "trials on the training split"
    ) in lines
