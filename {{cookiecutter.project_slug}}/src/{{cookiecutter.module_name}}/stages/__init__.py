"""The DVC stages, a module each (see dvc.yaml): read params, call the library, write outputs."""
