"""Unit tests of ready_hook.py with stand-ins for the spawner, its reflectors and the proxy.

Run: python3 -m unittest discover -s deploy/hub -p 'test_*.py' (test/unit/hub/ready-hook.test.ts).
"""

import asyncio
import logging
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ready_hook import spawn_doctor_ready_hook  # noqa: E402

READY = {"progress": 100, "ready": True, "message": "Server ready at /user/u/", "url": "/user/u/"}


class Proxy:
    def __init__(self, routes, fail=False):
        self.routes, self.fail = routes, fail

    async def get_route(self, spec):
        if self.fail:
            raise OSError("proxy down")
        return self.routes.get(spec)


class Reflector:
    def __init__(self, pods):
        self.pods = pods


class Spawner:
    """What the hook reads of a KubeSpawner."""

    namespace = "jhub"
    pod_name = "jupyter-u"
    proxy_spec = "/user/u/"
    _log_name = "u"

    def __init__(self, *, routed=True, start="done", running=True, events=(), proxy_fails=False, pod_uid="pod-b"):
        self.log = logging.getLogger("test")
        self.user = type("User", (), {})()
        self.user.settings = {"proxy": Proxy({"/user/u/": {"target": "x"}} if routed else {}, proxy_fails)}
        loop = asyncio.get_event_loop()
        f = loop.create_future()
        if start == "done":
            f.set_result("http://127.0.0.1:8888")
        elif start == "cancelled":
            f.cancel()
        elif start == "failed":
            f.set_exception(RuntimeError("boom"))
        self._start_future = f
        state = {"running": {}} if running else {"waiting": {"reason": "CrashLoopBackOff"}}
        pod = {
            "metadata": {"uid": pod_uid},
            "status": {"containerStatuses": [{"name": "notebook", "state": state}]},
        }
        self.pod_reflector = Reflector({"jhub/jupyter-u": pod})
        self.events = list(events)


def diagnosis(uid, message):
    return {"reason": "SpawnDiagnosis", "message": message, "involvedObject": {"name": "jupyter-u", "uid": uid}}


def run(spawner):
    return asyncio.get_event_loop().run_until_complete(spawn_doctor_ready_hook(spawner, dict(READY)))


class ReadyHookTest(unittest.TestCase):
    def setUp(self):
        asyncio.set_event_loop(asyncio.new_event_loop())

    def tearDown(self):
        asyncio.get_event_loop().close()

    def test_a_real_start_is_ready(self):
        self.assertEqual(run(Spawner()), READY)

    def test_cancelled_after_the_container_started_is_not_ready(self):
        # The variant: cancelled while the hub waited for the server to answer; the start
        # had finished and the container runs, but the hub never added the route.
        r = run(Spawner(routed=False))
        self.assertTrue(r["failed"])
        self.assertEqual(r["message"], "Spawn cancelled")
        self.assertNotIn("ready", r)

    def test_cancelled_or_failed_start_is_not_ready(self):
        for start in ("cancelled", "failed", "pending"):
            with self.subTest(start=start):
                self.assertTrue(run(Spawner(start=start))["failed"])

    def test_a_dead_container_is_not_ready(self):
        self.assertTrue(run(Spawner(running=False))["failed"])

    def test_the_current_pods_diagnosis_goes_with_the_failure(self):
        events = [diagnosis("pod-a", "old pod: image missing"), diagnosis("pod-b", "killed for its memory")]
        r = run(Spawner(routed=False, events=events))
        self.assertEqual(r["message"], "Spawn failed: killed for its memory")
        self.assertEqual(r["raw_event"]["involvedObject"]["uid"], "pod-b")
        # Another pod's diagnosis is never handed over.
        r = run(Spawner(routed=False, events=[diagnosis("pod-a", "old")]))
        self.assertEqual(r["message"], "Spawn cancelled")
        self.assertNotIn("raw_event", r)

    def test_a_proxy_that_cannot_be_asked_leaves_the_other_signals(self):
        self.assertEqual(run(Spawner(proxy_fails=True)), READY)
        self.assertTrue(run(Spawner(proxy_fails=True, start="cancelled"))["failed"])


if __name__ == "__main__":
    unittest.main()
