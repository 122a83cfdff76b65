"""Why one answer: SHAP contributions of each input, against a background of training rows."""
