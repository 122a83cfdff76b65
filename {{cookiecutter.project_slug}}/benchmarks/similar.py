"""The store behind `POST /similar` against the libraries it could have been, side by side.

On the served bundle's index, then on a synthetic one of `--rows` unit vectors of the same
width: time to load the vectors and be ready, one query's p50 and p99 (k nearest, in
process), recall against exact search, and what each library adds to an install. Qdrant's
local mode (what the project ships) and numpy by hand are always measured; faiss-cpu and
hnswlib when installed (`pip install faiss-cpu hnswlib`): they are not dependencies.
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable
from importlib import metadata

import numpy as np
import numpy.typing as npt
from packaging.requirements import Requirement

from {{ cookiecutter.module_name }}.bundle import VECTORS_FILE, load_bundle
from {{ cookiecutter.module_name }}.config import load_settings
from {{ cookiecutter.module_name }}.similar.neighbours import Indexed, Neighbours

PACKAGE = load_bundle.__module__.split(".")[0]
Vectors = npt.NDArray[np.float32]
Search = Callable[[Vectors, int], list[int]]


def qdrant(vectors: Vectors) -> Search:
    """Search as /similar does: the project's Neighbours, payloads included."""
    records = [Indexed(record={"row": i}, target=0.0) for i in range(len(vectors))]
    store = Neighbours(vectors, records)
    return lambda query, k: [hit.index for hit in store.nearest(query, k)]


def exact(vectors: Vectors) -> Search:
    """Cosine by hand: one matrix-vector product over unit vectors, then the top k."""

    def search(query: Vectors, k: int) -> list[int]:
        scores = vectors @ (query / np.linalg.norm(query))
        top = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
        found: list[int] = top[np.argsort(-scores[top])].tolist()
        return found

    return search


def faiss_flat(vectors: Vectors) -> Search:
    """Search faiss's exact inner-product index (unit vectors: cosine)."""
    import faiss

    faiss.omp_set_num_threads(1)  # as the server runs a query: one thread
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return lambda query, k: index.search(query[None, :], k)[1][0].tolist()


def hnsw(vectors: Vectors) -> Search:
    """Search hnswlib's approximate graph index at its documented defaults (M 16, ef 200/50)."""
    import hnswlib

    index = hnswlib.Index(space="cosine", dim=vectors.shape[1])
    index.init_index(max_elements=len(vectors), ef_construction=200, M=16, random_seed=0)
    index.add_items(vectors, np.arange(len(vectors)), num_threads=1)
    index.set_ef(50)
    return lambda query, k: index.knn_query(query, k=k)[0][0].tolist()


STORES: dict[str, tuple[str, Callable[[Vectors], Search]]] = {
    "qdrant (local)": ("qdrant-client", qdrant),
    "numpy": ("numpy", exact),
    "faiss (flat)": ("faiss-cpu", faiss_flat),
    "hnswlib": ("hnswlib", hnsw),
}


def installed_mib(name: str, seen: set[str]) -> tuple[float, int]:
    """MiB on disk of a distribution and what it requires beyond `seen`, and how many they are.

    Adds what it counts to `seen`.
    """
    key = name.lower().replace("_", "-")
    if key in seen:
        return 0.0, 0
    seen.add(key)
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return 0.0, 0
    size = sum(f.size or 0 for f in dist.files or []) / 2**20
    count = 1
    for line in dist.requires or []:
        needed = Requirement(line)
        if needed.marker is None or needed.marker.evaluate({"extra": ""}):
            more, n = installed_mib(needed.name, seen)
            size, count = size + more, count + n
    return size, count


def measure(vectors: Vectors, queries: Vectors, k: int) -> list[str]:
    """One line per store that is installed: load, p50, p99, recall at k."""
    truth = [exact(vectors)(q, k) for q in queries]
    lines = []
    for label, (dist, build) in STORES.items():
        try:
            build(vectors[:2])  # imports the library: start-up, not loading
            started = time.perf_counter()
            search = build(vectors)
        except ImportError:
            lines.append(f"{label:<15} not installed (pip install {dist})")
            continue
        load_ms = (time.perf_counter() - started) * 1000
        search(queries[0], k)
        times, hits = [], 0
        for query, expected in zip(queries, truth, strict=True):
            began = time.perf_counter()
            found = search(query, k)
            times.append(time.perf_counter() - began)
            hits += len(set(found) & set(expected))
        p50, p99 = np.percentile(np.asarray(times) * 1000, [50, 99])
        recall = hits / (k * len(queries))
        lines.append(f"{label:<15} {load_ms:9.1f} {p50:8.3f} {p99:8.3f} {recall:7.3f}")
    return lines


def report(title: str, vectors: Vectors, queries: Vectors, k: int) -> None:
    """Print one table: each store on the same vectors and queries."""
    print(f"\n{title}: {len(vectors):,} vectors of {vectors.shape[1]}, k={k}")
    print(f"{'store':<15} {'load ms':>9} {'p50 ms':>8} {'p99 ms':>8} {'recall':>7}")
    for line in measure(vectors, queries, k):
        print(line)


def main(argv: list[str] | None = None) -> None:
    """Measure the served index, then synthetic ones, then the installs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    settings = load_settings(args.params)
    shipped = load_bundle(settings.paths.serving).files.get(VECTORS_FILE)
    if shipped is None:
        raise SystemExit(f"{settings.paths.serving}: the bundle ships no index (similar.endpoint)")
    served = np.load(io.BytesIO(shipped), allow_pickle=False).astype(np.float32)
    picks = rng.integers(0, len(served), args.queries)
    report("served bundle's index", served, served[picks], args.k)
    for rows in args.rows:
        synthetic = rng.standard_normal((rows, served.shape[1])).astype(np.float32)
        synthetic /= np.linalg.norm(synthetic, axis=1, keepdims=True)
        queries = rng.standard_normal((args.queries, served.shape[1])).astype(np.float32)
        report("synthetic", synthetic, queries, args.k)
    serving: set[str] = set()
    base, _ = installed_mib(PACKAGE, serving)
    print(f"\n{'adds to serving':<15} {'MiB':>9} {'distributions':>14}  (base: {base:.0f} MiB)")
    for label, (dist, _) in STORES.items():
        size, count = installed_mib(dist, set(serving))
        if count or label == "numpy":
            print(f"{label:<15} {size:9.1f} {count:14d}")


if __name__ == "__main__":
    main()
