"""Training: the PyTorch loop, its data-parallel mode, the MLP's estimators, the candidates."""
