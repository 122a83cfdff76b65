"""The models: a scikit-learn baseline and the PyTorch network; training lives in `training`."""
