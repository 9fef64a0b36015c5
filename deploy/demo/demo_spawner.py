"""KubeSpawner for the demo hub: applies the spawn form's user_options to the pod.

The HTML form and the REST API take the same path. Invalid options are refused with HTTP 400
before any pod exists: by `validate_user_options` (JupyterHub >= 5.3's apply_user_options hook)
and again in `load_user_options`, which KubeSpawner calls first thing in start() on every
version and which applies the options to the spawner's traits. `modify_pod_hook` creates the
sshfs home's and the scratch volume's objects (the namespace exists by then) and applies the JSON
merge patch. The progress_ready_hook is deploy/hub/ready_hook.py, the file sites install as it is.
"""

import asyncio
import json
import sys
from pathlib import Path
from types import SimpleNamespace

from kubernetes_asyncio.client.rest import ApiException
from kubespawner import KubeSpawner
from tornado import web
from traitlets import default

import spawn_form

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hub"))
# re-exported for jupyterhub_config.py: deploy/hub/ready_hook.py, the file sites install
from ready_hook import spawn_doctor_ready_hook  # noqa: E402, F401


# A refused form submission ({field: text}) per user, shown once more so it can be corrected.
# By user, not by spawner: JupyterHub re-renders a refused form from the default server's spawner.
_refused = {}


class DemoSpawner(KubeSpawner):
    _demo_settings = None
    # set when the current start was cancelled (a DELETE of the pending spawn); see poll()
    _demo_cancelled = False

    async def _start(self):
        self._demo_cancelled = False
        try:
            return await super()._start()
        except asyncio.CancelledError:
            self._demo_cancelled = True
            raise

    async def poll(self):
        """A cancelled start counts as running until it is stopped.

        JupyterHub 6.1's DELETE of a pending spawn cancels it, sleeps a second and stops the
        server; when its event loop is too slow for the cancel to unwind in that second it answers
        500 ("pending spawn") and never stops it. The spawner is then left with a server and no
        poll callback, and a second DELETE stops it only if poll() says it runs. KubeSpawner says
        "exited" for a pod whose container never ran or already ended (refused by the kubelet,
        evicted), which would leave a server shown as ready for good.
        """
        status = await super().poll()
        if status is not None and self._demo_cancelled:
            self.log.info("%s: a cancelled start not stopped yet counts as running", self._log_name)
            return None
        return status

    @default("options_form")
    def _demo_options_form(self):
        def render(spawner):
            refused = _refused.pop(spawner.user.name, None)
            return spawn_form.render_form(spawner.user_options, refused)

        return render

    @default("options_from_form")
    def _demo_options_from_form(self):
        def read(formdata):
            try:
                return spawn_form.options_from_form(formdata)
            except spawn_form.FormError:
                _refused[self.user.name] = {k: v[0] for k, v in formdata.items() if v and isinstance(v[0], str)}
                raise

        return read

    async def load_user_options(self):
        try:
            opts = spawn_form.normalize(self.user_options or {})
        except spawn_form.FormError as e:
            raise web.HTTPError(400, str(e), reason=str(e)) from None
        # the normalized form is what the hub stores and shows next time
        self.user_options = opts
        settings = spawn_form.spawner_settings(opts, self.namespace, self.user.name)
        for name, value in settings["traits"].items():
            setattr(self, name, value)
        self._demo_settings = settings
        await super().load_user_options()

    async def demo_modify_pod(self, pod):
        settings = self._demo_settings or {}
        for objects in (settings.get("home"), settings.get("scratch")):
            if objects:
                await self._ensure_volume_objects(objects)
        patch = settings.get("pod_patch")
        if not patch:
            return pod
        client = self.api.api_client
        manifest = spawn_form.merge_patch(client.sanitize_for_serialization(pod), patch)
        self.log.info("Applying the form's pod patch to %s: %s", self.pod_name, json.dumps(patch))
        return client.deserialize(SimpleNamespace(data=json.dumps(manifest)), "V1Pod")

    async def _ensure_volume_objects(self, objects):
        """Create a volume's objects (the sshfs home's key Secret, PV and PVC; a scratch volume's PV
        and PVC); existing ones are kept."""
        ns = self.namespace
        create = {
            "Secret": lambda b: self.api.create_namespaced_secret(ns, b),
            "PersistentVolume": lambda b: self.api.create_persistent_volume(b),
            "PersistentVolumeClaim": lambda b: self.api.create_namespaced_persistent_volume_claim(ns, b),
        }
        for body in objects:
            try:
                await create[body["kind"]](body)
                self.log.info("Created %s %s for the spawn's volumes", body["kind"], body["metadata"]["name"])
            except ApiException as e:
                if e.status != 409:
                    raise
        # The site's PVCs are bound before the spawn; wait briefly so the pod does not start
        # with an unbound claim (a slow binder is left to the scheduler and spawn-doctor).
        pvc = next(b for b in objects if b["kind"] == "PersistentVolumeClaim")
        name = pvc["metadata"]["name"]
        for _ in range(20):
            claim = await self.api.read_namespaced_persistent_volume_claim(name, ns)
            if claim.status and claim.status.phase == "Bound":
                return
            await asyncio.sleep(0.5)
        self.log.warning("PVC %s/%s is not bound yet; starting the pod anyway", ns, name)


def modify_pod_hook(spawner, pod):
    return spawner.demo_modify_pod(pod)


def validate_user_options(spawner, user_options):
    """JupyterHub >= 5.3's apply_user_options hook: refuse bad options with HTTP 400 before start.

    The options are applied in DemoSpawner.load_user_options (every hub version has that).
    """
    try:
        spawn_form.normalize(user_options or {})
    except spawn_form.FormError as e:
        raise web.HTTPError(400, str(e), reason=str(e)) from None
