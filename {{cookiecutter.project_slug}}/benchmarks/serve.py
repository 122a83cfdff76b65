"""Serve each trained model two ways and measure them side by side, on loopback only.

For the scikit-learn baseline and the PyTorch MLP in turn: starts this project's server on
the model's exported ONNX bundle and `mlflow models serve` on the same registered version,
warms both up, then sends single-row requests over 1 and 8 keep-alive connections, each
run bounded by a request count and a time limit, and `/explain` and `/similar` over 8.
Prints requests/s, p50, p99 and errors, the ratios to the targets, start-up time, resident
memory, batch throughput against the same model in-process, a 64-connection soak with
memory samples, and INT8 against FP32.

The load client shares the machine's cores with the servers: compare ratios from one run,
not absolute figures across machines. Exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.pipeline import Pipeline

from {{ cookiecutter.module_name }}.bundle import BACKGROUND_FILE, Manifest, write_bundle
from {{ cookiecutter.module_name }}.config import Settings, load_settings
from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.evaluation.metrics import model_output
from {{ cookiecutter.module_name }}.export.int8 import compare_int8
from {{ cookiecutter.module_name }}.features import feature_frame, rows_of, targets
from {{ cookiecutter.module_name }}.onnx_model import OnnxModel
from {{ cookiecutter.module_name }}.records import CANDIDATES, load_candidate
from {{ cookiecutter.module_name }}.schema import FeatureSchema
from {{ cookiecutter.module_name }}.similar.index import index_files
from {{ cookiecutter.module_name }}.stages.export import describe
from {{ cookiecutter.module_name }}.training.saved import load_pipeline

HOST = "127.0.0.1"
PACKAGE = Manifest.__module__.split(".")[0]
JSON = {"Content-Type": "application/json"}


def free_port() -> int:
    """Return a port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start(command: list[str], ready_path: str, port: int, env: dict[str, str]) -> tuple[Any, float]:
    """Start a server; return it and the seconds until `ready_path` answered 200."""
    began = time.perf_counter()
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = began + 120
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            sys.exit(f"{command[0]} exited with {server.returncode} before it was ready")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", ready_path)
            if connection.getresponse().status == 200:
                return server, time.perf_counter() - began
        except OSError:
            pass
        time.sleep(0.02)
    server.kill()
    sys.exit(f"{command[0]} was not ready within 120 s")


def resident_mib(pid: int) -> float:
    """Resident memory of a process and its descendants (Linux /proc), in MiB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            rss = next(line for line in status.splitlines() if line.startswith("VmRSS"))
            total += int(rss.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total / 1024


def drive(
    port: int,
    method: str,
    path: str,
    body: bytes | None,
    connections: int,
    requests: int,
    seconds: float,
) -> dict[str, float]:
    """Send up to `requests` requests over `connections` keep-alive connections."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_connection = max(1, requests // connections)
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        mine, failed = [], 0
        for _ in range(per_connection):
            if time.perf_counter() > deadline:
                break
            sent = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=JSON)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                connection = http.client.HTTPConnection(HOST, port, timeout=10)
            mine.append(time.perf_counter() - sent)
            failed += not ok
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    ms = np.asarray(latencies) * 1000
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": float(np.percentile(ms, 50)),
        "p99": float(np.percentile(ms, 99)),
        "errors": errors,
    }


def best_time(call: Any, repeat: int = 3) -> float:
    """Return the best of `repeat` wall times of `call`, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - began)
    return best


def batch_throughput(
    port: int,
    model: OnnxModel,
    pipeline: Pipeline,
    schema: FeatureSchema,
    records: list[dict[str, Any]],
    rows: int,
) -> dict[str, float]:
    """Rows/s of one big `/predict/batch` request, and of the same rows in-process.

    In-process twice: the served ONNX graph, and the trained scikit-learn pipeline on a
    DataFrame (what a script without the server would run).
    """
    rng = np.random.default_rng(0)
    batch = [records[i] for i in rng.integers(0, len(records), rows)]
    payloads = {
        "batch_http": json.dumps({"records": batch}).encode(),
        "columns_http": json.dumps({"columns": {k: [r[k] for r in batch] for k in batch[0]}}),
    }
    connection = http.client.HTTPConnection(HOST, port, timeout=120)

    def over_http(payload: bytes | str) -> None:
        connection.request("POST", "/predict/batch", body=payload, headers=JSON)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"/predict/batch answered {response.status}")

    in_rows = [tuple(record.values()) for record in batch]
    return {
        **{key: rows / best_time(lambda p=body: over_http(p)) for key, body in payloads.items()},
        "batch_inproc": rows / best_time(lambda: model.predict(in_rows)),
        "batch_pipeline": rows
        / best_time(lambda: model_output(pipeline, feature_frame(schema, batch), schema.spec)),
    }


def soak(port: int, pid: int, body: bytes, connections: int, seconds: float) -> dict[str, Any]:
    """Hold `connections` connections busy for `seconds`; sample resident memory each second."""
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(1.0):
            samples.append(resident_mib(pid))

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        found = drive(port, "POST", "/predict", body, connections, 10**9, seconds)
    finally:
        done.set()
        sampler.join()
    half = max(1, len(samples) // 2)
    # Growth between the mean of the first and the second half: robust to single spikes.
    growth = float(np.mean(samples[half:]) - np.mean(samples[:half])) if len(samples) > 1 else 0.0
    return {**found, "rss_first": samples[0] if samples else 0.0, "rss_growth": growth}


def batch_params(args: argparse.Namespace, records: list[dict[str, Any]], workdir: Path) -> Path:
    """Write a copy of the params whose body limit admits the benchmark's batch."""
    params = yaml.safe_load(Path(args.params).read_text(encoding="utf-8"))
    limit = params.setdefault("serving", {}).get("max_body_bytes")  # None: room for max_batch
    needed = 2 * len(json.dumps({"records": records[:100]})) * max(1, args.batch_rows // 100)
    if limit is not None and needed > limit:
        print(f"(raising serving.max_body_bytes to {needed} for the {args.batch_rows}-row batch)")
        params["serving"]["max_body_bytes"] = needed
    path = workdir / "params.yaml"
    path.write_text(yaml.safe_dump(params), encoding="utf-8")
    return path


def bundle_for(name: str, settings: Settings, schema: FeatureSchema, directory: Path) -> Path:
    """Write a serving bundle for one candidate's exported graph, as the export stage would.

    It ships the served bundle's background (training rows, whichever model is served) and
    an index of training rows embedded by this graph.
    """
    graph = (settings.paths.onnx / f"{name}.onnx").read_bytes()
    candidate = load_candidate(settings.paths.models, name)
    shipped, files = settings.paths.serving / BACKGROUND_FILE, {}
    if shipped.is_file():
        files[BACKGROUND_FILE] = shipped.read_bytes()
    if settings.similar.endpoint:
        train = load_splits(settings.paths.processed)[0]["train"]
        model = OnnxModel(graph, schema)
        files |= index_files(model, train, settings.similar.index_rows, settings.seed)
    manifest = describe(settings, candidate, schema, graph, False, files=files)
    write_bundle(directory / name, graph, manifest, files)
    return directory / name


def measure(
    name: str,
    settings: Settings,
    schema: FeatureSchema,
    records: list[dict[str, Any]],
    args: argparse.Namespace,
    workdir: Path,
) -> dict[str, dict[str | int, Any]]:
    """Both servers on one candidate: returns their figures."""
    record = next(r for r in records if all(v is not None for v in r.values()))
    version = load_candidate(settings.paths.models, name).version
    bundle = bundle_for(name, settings, schema, workdir)
    # `mlflow models serve` starts `uvicorn` by name: it must be on PATH.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, "MLFLOW_TRACKING_URI": settings.mlflow.tracking_uri, "PATH": path}
    ours_port, mlflow_port = free_port(), free_port()
    ours = [sys.executable, "-m", PACKAGE, "serve", "--port", str(ours_port)]
    mlflow = [sys.executable, "-m", "mlflow", "models", "serve", "--env-manager", "local"]
    mlflow += ["-m", f"models:/{settings.mlflow.registered_model}/{version}"]
    servers = {
        "ours": (
            [*ours, "--params", str(batch_params(args, records, workdir)), "--bundle", str(bundle)],
            "/ready",
            ours_port,
            "/predict",
            json.dumps(record).encode(),
        ),
        "mlflow": (
            [*mlflow, "-h", HOST, "-p", str(mlflow_port)],
            "/ping",
            mlflow_port,
            "/invocations",
            json.dumps({"dataframe_records": [record]}).encode(),
        ),
    }
    results: dict[str, dict[str | int, Any]] = {}
    for server_name, (command, ready, port, route, body) in servers.items():
        server, startup = start(command, ready, port, env)
        try:
            drive(port, "POST", route, body, 1, 200, 5)  # warm-up
            found: dict[str | int, Any] = {"startup": startup, "rss": resident_mib(server.pid)}
            for connections in (1, 8):
                found[connections] = drive(
                    port, "POST", route, body, connections, args.requests, args.seconds
                )
            if server_name == "ours":
                found["health"] = drive(
                    port, "GET", "/health", None, 8, args.requests, args.seconds
                )
                if (bundle / BACKGROUND_FILE).is_file():
                    found["explain"] = drive(
                        port, "POST", "/explain", body, 8, args.requests, args.seconds
                    )
                if settings.similar.endpoint:
                    found["similar"] = drive(
                        port, "POST", "/similar", body, 8, args.requests, args.seconds
                    )
                model = OnnxModel((bundle / "model.onnx").read_bytes(), schema)
                pipeline = load_pipeline(settings.paths.models, name)
                found.update(
                    batch_throughput(port, model, pipeline, schema, records, args.batch_rows)
                )
                if args.soak_seconds > 0:
                    found["soak"] = soak(port, server.pid, body, 64, args.soak_seconds)
            results[server_name] = found
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)
    return results


def report(name: str, results: dict[str, dict[str | int, Any]], batch_rows: int) -> list[str]:
    """Print one candidate's table and ratios; return what failed."""
    print(f"\n{name}")
    print(f"{'server':<8}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    failures = []
    for server, found in results.items():
        for connections in (1, 8):
            r = found[connections]
            print(
                f"{server:<8}{connections:>6}{r['rps']:>10.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}"
                f"{r['errors']:>8}"
            )
            if r["errors"]:
                failures.append(f"{name}: {server} at {connections} connection(s)")
    ours, theirs = results["ours"], results["mlflow"]
    for connections in (1, 8):
        ratio = ours[connections]["rps"] / theirs[connections]["rps"]
        print(f"ours / mlflow, {connections} connection(s): {ratio:.1f}x  (target >= 10x)")
    share = ours[8]["rps"] / ours["health"]["rps"]
    print(
        f"ours /predict / ours /health at 8 connections: {share:.0%} "
        f"({ours['health']['rps']:.0f} req/s on /health)  (target >= 70%)"
    )
    print(f"ours p99 at 8 connections: {ours[8]['p99']:.1f} ms  (target <= 10 ms)")
    for route in ("explain", "similar"):
        if route not in ours:
            continue
        e = ours[route]
        print(
            f"ours /{route} at 8 connections: {e['rps']:.0f} req/s, p50 {e['p50']:.1f} ms, "
            f"p99 {e['p99']:.1f} ms: {e['p99'] / ours[8]['p99']:.1f}x /predict's p99  "
            f"(target <= 5x)"
        )
        if e["errors"]:
            failures.append(f"{name}: /{route}")
    for key, form in (("batch_http", "records"), ("columns_http", "columns")):
        print(
            f"batch of {batch_rows} rows as {form}: {ours[key]:.0f} rows/s over HTTP, "
            f"{ours['batch_inproc']:.0f} in-process (ONNX): "
            f"{ours[key] / ours['batch_inproc']:.0%}"
            + ("  (target >= 50%)" if form == "columns" else "")
        )
    print(f"trained pipeline in-process: {ours['batch_pipeline']:.0f} rows/s")
    for server, found in results.items():
        print(f"{server}: ready in {found['startup']:.2f} s, {found['rss']:.0f} MiB resident")
    if "soak" in ours:
        s = ours["soak"]
        print(
            f"soak, 64 connections: {s['requests']} requests, {s['rps']:.0f} req/s, "
            f"p99 {s['p99']:.1f} ms, {s['errors']} errors; resident {s['rss_first']:.0f} MiB, "
            f"{s['rss_growth']:+.1f} MiB from first to second half"
        )
        if s["errors"]:
            failures.append(f"{name}: soak")
    return failures


def main() -> None:
    """Measure both candidates, print the tables, ratios and INT8 figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--requests", type=int, default=3000, help="per run (bounded)")
    parser.add_argument("--seconds", type=float, default=10, help="per run (bounded)")
    parser.add_argument("--batch-rows", type=int, default=10_000)
    parser.add_argument("--soak-seconds", type=float, default=30, help="0: no soak")
    parser.add_argument("--models", nargs="+", default=list(CANDIDATES), choices=CANDIDATES)
    args = parser.parse_args()

    settings = load_settings(args.params)
    splits, schema = load_splits(settings.paths.processed)
    X = feature_frame(schema, splits["test"])
    records = [dict(zip(schema.names, row, strict=True)) for row in rows_of(X)]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            results = measure(name, settings, schema, records, args, Path(tmp))
            failures += report(name, results, args.batch_rows)

    graphs = {n: (settings.paths.onnx / f"{n}.onnx").read_bytes() for n in ("mlp", "mlp.int8")}
    q = compare_int8(graphs["mlp"], graphs["mlp.int8"], schema, X, targets(splits["test"], schema))
    score = schema.spec.int8_metric
    print(
        f"\nmlp INT8 vs FP32, in-process, one row: {q['latency_us_int8']:.1f} µs vs "
        f"{q['latency_us_fp32']:.1f} µs ({q['latency_ratio']:.2f}x); test {score} "
        f"{q[f'{score}_int8']:.4f} vs {q[f'{score}_fp32']:.4f} ({q[f'{score}_change']:+.4f}); "
        f"{q['size_bytes_int8']} vs {q['size_bytes_fp32']} bytes"
    )
    if failures:
        sys.exit(f"requests failed: {'; '.join(failures)}")


if __name__ == "__main__":
    main()
