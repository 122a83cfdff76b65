"""Hyperparameter search with Optuna (`make tune`), and the values it found (tuned.yaml)."""
