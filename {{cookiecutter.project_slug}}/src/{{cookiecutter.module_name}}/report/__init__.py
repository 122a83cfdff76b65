"""The evaluation written for people: the model card and the README's results table."""
