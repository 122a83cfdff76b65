"""MLflow runs left running by a killed process, and the versions they registered.

A run ends when its `with mlflow.start_run()` block does; kill -9 skips that, and the run
shows as running forever beside a registered version that no stage evaluated. Each run
the pipeline starts carries its host and process id (`owner_tags`); `end_stale_runs`
marks the runs of this host whose process is gone as FAILED, and deletes the versions
they registered that no alias points to.
"""

from __future__ import annotations

import logging
import os
import socket

from mlflow.tracking import MlflowClient

HOST_TAG, PID_TAG = "host", "pid"

log = logging.getLogger(__name__)


def owner_tags() -> dict[str, str]:
    """Tags that say which process runs a run: this one."""
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, only whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's
        return True
    return True


def end_stale_runs(experiment: str) -> list[str]:
    """Mark this host's running runs whose process is gone as FAILED; return their ids."""
    client = MlflowClient()
    found = client.get_experiment_by_name(experiment)
    if found is None:
        return []
    host, stale = socket.gethostname(), []
    running = client.search_runs([found.experiment_id], "attributes.status = 'RUNNING'")
    for run in running:
        tags, run_id = run.data.tags, run.info.run_id
        pid = tags.get(PID_TAG, "")
        if tags.get(HOST_TAG) != host or not pid.isdigit() or _alive(int(pid)):
            continue  # another machine's, or still running (two trainings at once)
        client.set_terminated(run_id, status="FAILED")
        log.warning("MLflow run %s was left running by process %s, now gone: FAILED", run_id, pid)
        for found_version in client.search_model_versions(f"run_id = '{run_id}'"):
            # Searching leaves aliases out: they are read one version at a time.
            version = client.get_model_version(found_version.name, found_version.version)
            if not version.aliases:
                client.delete_model_version(version.name, version.version)
                log.warning(
                    "deleted version %s of %s, registered by it", version.version, version.name
                )
        stale.append(run_id)
    return stale
