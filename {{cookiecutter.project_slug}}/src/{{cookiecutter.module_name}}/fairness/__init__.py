"""Fairness: metrics per group of the sensitive columns, disparities, a mitigated candidate."""
