"""Scoring on the test split: metrics, intervals, slices, importance, figures, the summary."""
