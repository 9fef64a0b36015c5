"""KubeSpawner for the demo hub: applies the spawn form's user_options to the pod.

The same path serves the HTML form and the REST API: `load_user_options` (called by KubeSpawner
before the namespace or any pod exists) validates and applies the options; a bad value fails the
spawn with HTTP 400 and the form's message. `modify_pod_hook` creates the sshfs home objects
(the namespace exists by then) and applies the JSON merge patch.
"""

import asyncio
import json
from types import SimpleNamespace

from kubernetes_asyncio.client.rest import ApiException
from kubespawner import KubeSpawner
from tornado import web
from traitlets import default

import spawn_form


class DemoSpawner(KubeSpawner):
    _demo_settings = None
    # set when the current start was cancelled (a DELETE of the pending spawn); see below
    _demo_cancelled = False

    async def _start(self):
        self._demo_cancelled = False
        try:
            return await super()._start()
        except asyncio.CancelledError:
            self._demo_cancelled = True
            raise

    @default("options_form")
    def _demo_options_form(self):
        return lambda spawner: spawn_form.render_form(spawner.user_options)

    @default("options_from_form")
    def _demo_options_from_form(self):
        return lambda formdata: spawn_form.options_from_form(formdata)

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
        if settings.get("home"):
            await self._ensure_home(*settings["home"])
        patch = settings.get("pod_patch")
        if not patch:
            return pod
        client = self.api.api_client
        manifest = spawn_form.merge_patch(client.sanitize_for_serialization(pod), patch)
        self.log.info("Applying the form's pod patch to %s: %s", self.pod_name, json.dumps(patch))
        return client.deserialize(SimpleNamespace(data=json.dumps(manifest)), "V1Pod")

    async def _ensure_home(self, secret, pv, pvc):
        """Create the key Secret, the csi-sshfs PV and its PVC; existing ones are kept."""
        ns = self.namespace
        for create, body in (
            (lambda b: self.api.create_namespaced_secret(ns, b), secret),
            (lambda b: self.api.create_persistent_volume(b), pv),
            (lambda b: self.api.create_namespaced_persistent_volume_claim(ns, b), pvc),
        ):
            try:
                await create(body)
                self.log.info("Created %s %s for the sshfs home", body["kind"], body["metadata"]["name"])
            except ApiException as e:
                if e.status != 409:
                    raise


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


def cancelled_is_not_ready(spawner, ready_event):
    """progress_ready_hook (JupyterHub >= 5): a cancelled spawn must not be announced as ready.

    When a pending spawn is cancelled (DELETE, as spawn-doctor does), JupyterHub cancels the spawn,
    waits a second, then stops the server. Within that second the spawner has a server and no
    pending action, so the progress stream would send "Server ready" and the stock page would open
    a server that is being stopped. Turn that into the failure it is.
    """
    if getattr(spawner, "_demo_cancelled", False):
        return {"progress": 100, "failed": True, "message": "Spawn cancelled"}
    return ready_event
