"""Train a scikit-learn baseline and a PyTorch MLP, track them in MLflow, serve the winner."""

__version__ = "0.1.0"
