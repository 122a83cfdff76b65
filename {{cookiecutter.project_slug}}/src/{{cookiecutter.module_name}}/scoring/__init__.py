"""Score tables of any size with the served bundle: a file in chunks, or Parquet on Dask."""
