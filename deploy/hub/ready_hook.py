"""spawn-doctor's progress_ready_hook for JupyterHub >= 5 (KubeSpawner), one file for any hub.

Install: put this file next to jupyterhub_config.py (or anywhere on the hub's Python path; with
Zero to JupyterHub mount it into the hub pod, e.g. through hub.extraFiles) and add

    from ready_hook import spawn_doctor_ready_hook
    c.Spawner.progress_ready_hook = spawn_doctor_ready_hook

It does two things on the spawn page's progress stream (docs/jupyterhub-limits.md, 8 and 9):

1. A cancelled spawn is not announced as ready. When a pending spawn is cancelled (a DELETE of
   the server, as spawn-doctor or the page's Stop button sends), JupyterHub cancels the spawn,
   waits a second, then stops the server. Within that second the server has no pending action,
   so the stream would say "Server ready" and the page would open a server that is being stopped.
   A spawn really finished only when JupyterHub added its route to the proxy (the last step of a
   start; a cancel can no longer happen after it); it is also not ready if KubeSpawner's start is
   still unwinding or the notebook container is not running.
2. The diagnosis reaches the page even when KubeSpawner stopped forwarding Events (after the
   container started): the newest SpawnDiagnosis Event of the current pod goes with the final
   "failed" message as its raw_event.
"""

import logging

_log = logging.getLogger("spawn_doctor.ready_hook")


def _start_unwinding(spawner):
    """KubeSpawner's start is still running, was cancelled, or failed."""
    start = getattr(spawner, "_start_future", None)
    if start is None:
        return False
    return not start.done() or start.cancelled() or start.exception() is not None


def _pod(spawner):
    """The pod as KubeSpawner's pod reflector last saw it; False when it cannot tell."""
    try:
        return spawner.pod_reflector.pods.get(f"{spawner.namespace}/{spawner.pod_name}")
    except Exception:
        return False


def _notebook_running(pod):
    if pod is False:  # no reflector: nothing to contradict the hub
        return True
    if pod is None:
        return False
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        if status.get("name") == "notebook":
            return "running" in (status.get("state") or {})
    return False


async def _routed(spawner):
    """Whether the proxy has the server's route; None when the proxy cannot be asked."""
    proxy = getattr(getattr(spawner, "user", None), "settings", {}).get("proxy")
    if proxy is None:
        return None
    try:
        return await proxy.get_route(spawner.proxy_spec) is not None
    except Exception as e:
        _log.warning("cannot ask the proxy about %s: %s", spawner.proxy_spec, e)
        return None


def _latest_diagnosis(spawner, pod):
    """The newest SpawnDiagnosis Event of the current pod that KubeSpawner's reflector holds."""
    uid = pod.get("metadata", {}).get("uid") if pod else None
    try:
        events = [
            e
            for e in spawner.events
            if e.get("reason") == "SpawnDiagnosis"
            and (uid is None or (e.get("involvedObject") or {}).get("uid") == uid)
        ]
    except Exception:
        return None
    return events[-1] if events else None


async def spawn_doctor_ready_hook(spawner, ready_event):
    """progress_ready_hook: "failed" instead of "ready" for a spawn that did not really finish."""
    pod = _pod(spawner)
    # Read before anything is awaited: spawn-doctor retires its diagnosis once the spawn is over.
    diagnosis = _latest_diagnosis(spawner, pod)
    routed = await _routed(spawner)
    if routed is not False and not _start_unwinding(spawner) and _notebook_running(pod):
        return ready_event
    spawner.log.info("%s was cancelled, not ready: reporting the failure", spawner._log_name)
    failed = {"progress": 100, "failed": True, "message": "Spawn cancelled"}
    if diagnosis is not None:
        failed["message"] = f"Spawn failed: {diagnosis.get('message', '')}"
        failed["raw_event"] = diagnosis
    return failed
