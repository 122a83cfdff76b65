"""Serve the champion two ways and measure them side by side, on loopback only.

Starts this project's server (`python -m <package> serve`) and `mlflow models serve` on the
same champion version, warms both up, then sends single-row requests over 1 and 8
keep-alive connections, each run bounded by a request count and a time limit. Prints
requests/s, p50, p99 and errors per server, the ratios between them, start-up time,
resident memory, and batch throughput against calling the model in-process.

The load client shares the machine's cores with the servers: compare ratios from one run,
not absolute figures across machines.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from {{ cookiecutter.module_name }}.config import load_settings
from {{ cookiecutter.module_name }}.data import load_splits
from {{ cookiecutter.module_name }}.tracking import load_champion

HOST = "127.0.0.1"
PACKAGE = load_champion.__module__.split(".")[0]
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
        time.sleep(0.05)
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


def timed(call: Callable[[], object], repeat: int = 3) -> float:
    """Return the best of `repeat` wall times of `call`, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - began)
    return best


def batch_throughput(
    port: int, champion: Any, records: list[dict[str, Any]], rows: int
) -> dict[str, float]:
    """Rows/s of one big `/predict/batch` request, and of the same rows in-process."""
    rng = np.random.default_rng(0)
    batch = [records[i] for i in rng.integers(0, len(records), rows)]
    payload = json.dumps({"records": batch}).encode()
    connection = http.client.HTTPConnection(HOST, port, timeout=120)

    def over_http() -> None:
        connection.request("POST", "/predict/batch", body=payload, headers=JSON)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"/predict/batch answered {response.status}")

    return {
        "batch_http": rows / timed(over_http),
        "batch_inproc": rows / timed(lambda: champion.predict_proba(batch)),
    }


def main() -> None:
    """Run both servers, measure them, print the table and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--requests", type=int, default=3000, help="per run (bounded)")
    parser.add_argument("--seconds", type=float, default=15, help="per run (bounded)")
    parser.add_argument("--batch-rows", type=int, default=10_000)
    args = parser.parse_args()

    settings = load_settings(args.params)
    champion = load_champion(settings.mlflow)
    splits, schema = load_splits(settings.paths.processed)
    rows = splits["test"][schema.names].astype(object)
    records = [
        {str(k): v for k, v in row.items()}
        for row in rows.where(rows.notna(), None).to_dict(orient="records")
    ]
    record = next(r for r in records if all(v is not None for v in r.values()))
    # `mlflow models serve` starts `uvicorn` by name: it must be on PATH.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, "MLFLOW_TRACKING_URI": settings.mlflow.tracking_uri, "PATH": path}

    ours_port, mlflow_port = free_port(), free_port()
    servers = {
        "ours": (
            [sys.executable, "-m", PACKAGE, "serve", "--port", str(ours_port)],
            "/health",
            ours_port,
            "/predict",
            json.dumps(record).encode(),
        ),
        "mlflow": (
            [
                sys.executable,
                "-m",
                "mlflow",
                "models",
                "serve",
                "--env-manager",
                "local",
                "-m",
                f"models:/{champion.name}/{champion.version}",
                "-h",
                HOST,
                "-p",
                str(mlflow_port),
            ],
            "/ping",
            mlflow_port,
            "/invocations",
            json.dumps({"dataframe_records": [record]}).encode(),
        ),
    }
    print(f"champion: {champion.name} version {champion.version} ({champion.run_name})")
    results: dict[str, dict[str | int, Any]] = {}
    for name, (command, ready, port, path, body) in servers.items():
        server, startup = start(command, ready, port, env)
        try:
            drive(port, "POST", path, body, 1, 200, 5)  # warm-up
            found: dict[str | int, Any] = {"startup": startup, "rss": resident_mib(server.pid)}
            for connections in (1, 8):
                found[connections] = drive(
                    port, "POST", path, body, connections, args.requests, args.seconds
                )
            if name == "ours":
                found["health"] = drive(
                    port, "GET", "/health", None, 8, args.requests, args.seconds
                )
                found.update(batch_throughput(port, champion, records, args.batch_rows))
            results[name] = found
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)

    print(f"\n{'server':<8}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, found in results.items():
        for connections in (1, 8):
            r = found[connections]
            print(
                f"{name:<8}{connections:>6}{r['rps']:>10.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}"
                f"{r['errors']:>8}"
            )
    ours, theirs = results["ours"], results["mlflow"]
    print()
    for connections in (1, 8):
        ratio = ours[connections]["rps"] / theirs[connections]["rps"]
        print(f"ours / mlflow, {connections} connection(s): {ratio:.2f}x  (target >= 10x)")
    share = ours[8]["rps"] / ours["health"]["rps"]
    print(f"ours /predict / ours /health, 8 connections: {share:.0%}  (target >= 70%)")
    print(f"ours p99 at 8 connections: {ours[8]['p99']:.1f} ms  (target <= 10 ms)")
    batch_share = ours["batch_http"] / ours["batch_inproc"]
    print(
        f"batch of {args.batch_rows} rows: {ours['batch_http']:.0f} rows/s over HTTP, "
        f"{ours['batch_inproc']:.0f} in-process: {batch_share:.0%}  (target >= 50%)"
    )
    for name, found in results.items():
        print(f"{name}: ready in {found['startup']:.1f} s, {found['rss']:.0f} MiB resident")


if __name__ == "__main__":
    main()
