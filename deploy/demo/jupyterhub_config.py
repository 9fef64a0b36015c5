# The demo hub, also used by the integration and browser tests: JupyterHub + KubeSpawner against
# the testbed, the hub running as a local process, spawn-doctor as a managed service.
# Environment variables parameterise it (defaults in brackets):
#   KUBECONFIG               admin kubeconfig for KubeSpawner [<repo>/.testbed/kubeconfig]
#   DEMO_PORT                public port on 127.0.0.1 [8000]
#   DEMO_HUB_API_PORT        the hub's own API port [DEMO_PORT + 1]
#   DEMO_PROXY_API_PORT      configurable-http-proxy's API port [DEMO_PORT + 2]
#   DEMO_SERVICE_PORT        spawn-doctor's HTTP port (health, metrics) [DEMO_PORT + 3]
#   DEMO_STATE_DIR           sqlite db, cookie secret [<repo>/.demo]
#   DEMO_PASSWORD            the shared login password [spawn-doctor]
#   DEMO_ADMIN_TOKEN         an API token of the admin user "admin" [none]
#   DEMO_START_TIMEOUT       KubeSpawner start_timeout in seconds [900]
#   DEMO_TEMPLATES           1 = use web/templates when present, 0 = stock pages [1]
#   DEMO_LOG_LEVEL           [INFO]
#   SPAWN_DOCTOR_ENABLED     1 = run spawn-doctor as a managed service, 0 = bare hub [1]
#   SPAWN_DOCTOR_CONFIG      YAML for spawn-doctor [deploy/demo/spawn-doctor.yaml]
#   SPAWN_DOCTOR_KUBECONFIG  kubeconfig for spawn-doctor (e.g. a restricted service account)
#                            [the hub's KUBECONFIG]
#   SPAWN_DOCTOR_NODE        node binary [node on PATH]
#   DEMO_INSTANCE            a marker passed on to the service's environment [none]
import os
import shutil
import sys
from pathlib import Path

import jupyterhub

here = Path(__file__).resolve().parent
root = here.parent.parent
sys.path.insert(0, str(here))

from demo_spawner import (  # noqa: E402
    DemoSpawner,
    modify_pod_hook,
    spawn_doctor_ready_hook,
    validate_user_options,
)

c = get_config()  # noqa: F821 (provided by JupyterHub)
hub_version = tuple(int(p) for p in jupyterhub.__version__.split(".")[:2])
hub_major = hub_version[0]


def env(name, default):
    value = os.environ.get(name, "")
    return value if value != "" else default


def flag(name, default):
    return env(name, default).lower() not in ("0", "false", "no", "off")


# ---- the scopes spawn-doctor holds: the only place they are written ----
# read:servers    follow a server's progress stream (GET /users/{user}/servers/{name}/progress)
# delete:servers  cancel a pending spawn: DELETE /users/{user}/servers/{name} (JupyterHub >= 5.1
#                 stops a pending spawn; 4.x refuses with 400 "pending" and the pod is deleted instead)
# Nothing else: `servers` would also let it start servers. Verified against 4.1.6, 5.5.4 and 6.1.1
# by test/integration/actions/hub.test.ts (a token without delete:servers gets 403).
SPAWN_DOCTOR_SCOPES = ["read:servers", "delete:servers"]

port = int(env("DEMO_PORT", "8000"))
kubeconfig = env("KUBECONFIG", str(root / ".testbed" / "kubeconfig"))
os.environ["KUBECONFIG"] = kubeconfig  # KubeSpawner's client reads it from the environment
state_dir = Path(env("DEMO_STATE_DIR", str(root / ".demo")))
state_dir.mkdir(parents=True, exist_ok=True)

# ---- the hub and the proxy: all on loopback ----
hub_api_port = int(env("DEMO_HUB_API_PORT", str(port + 1)))
c.JupyterHub.bind_url = f"http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{hub_api_port}"
# the pods are local processes on 127.1.x.y: they reach the hub API on loopback
c.JupyterHub.hub_connect_url = f"http://127.0.0.1:{hub_api_port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('DEMO_PROXY_API_PORT', str(port + 2))}"
c.ConfigurableHTTPProxy.command = [str(root / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state_dir / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state_dir / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state_dir / "jupyterhub.pid")
c.JupyterHub.log_level = env("DEMO_LOG_LEVEL", "INFO")
c.JupyterHub.allow_named_servers = True
c.JupyterHub.named_server_limit_per_user = 0
c.JupyterHub.cleanup_servers = True
# How long a spawn request waits for the server before answering "pending" (JupyterHub's default
# is 10 s). spawn-doctor may cancel a doomed spawn within that time, and a cancel that lands
# while the request still waits makes JupyterHub answer 500. From 5.3 invalid options fail in
# apply_user_options, before that wait, so 0 still answers them with HTTP 400; older hubs validate
# in start() and need a moment (and cannot cancel a pending spawn anyway).
slow_spawn_default = "0" if hub_version >= (5, 3) else "2"
c.JupyterHub.tornado_settings = {
    "slow_spawn_timeout": float(env("DEMO_SLOW_SPAWN_TIMEOUT", slow_spawn_default))
}

templates = root / "web" / "templates"
if flag("DEMO_TEMPLATES", "1") and templates.is_dir():
    c.JupyterHub.template_paths = [str(templates)]

# ---- login: any name, one shared password; "admin" is an admin ----
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = env("DEMO_PASSWORD", "spawn-doctor")
c.Authenticator.admin_users = {"admin"}
if hub_major >= 5:
    c.Authenticator.allow_all = True  # 5.0 made an explicit allow policy mandatory
admin_token = env("DEMO_ADMIN_TOKEN", "")
if admin_token:
    c.JupyterHub.api_tokens = {admin_token: "admin"}

# ---- the spawner: KubeSpawner with the demo form, per-user namespaces ----
c.JupyterHub.spawner_class = DemoSpawner
c.KubeSpawner.enable_user_namespaces = True
c.KubeSpawner.user_namespace_template = "jupyterhub-{username}-demo-ns"
c.KubeSpawner.modify_pod_hook = modify_pod_hook
c.KubeSpawner.start_timeout = int(env("DEMO_START_TIMEOUT", "900"))
c.KubeSpawner.http_timeout = 120
c.KubeSpawner.delete_grace_period = 1
# KubeSpawner's 3 s default per API call (not retried for the namespace) fails spawns when many
# start at once on a busy machine
c.KubeSpawner.k8s_api_request_timeout = 10
if hub_version >= (5, 3):
    c.Spawner.apply_user_options = validate_user_options  # 400 before start; older hubs: in start
if hub_major >= 5:
    c.Spawner.progress_ready_hook = spawn_doctor_ready_hook  # deploy/hub/ready_hook.py

# ---- spawn-doctor as a managed service ----
if flag("SPAWN_DOCTOR_ENABLED", "1"):
    node = env("SPAWN_DOCTOR_NODE", shutil.which("node") or "node")
    service_port = int(env("DEMO_SERVICE_PORT", str(port + 3)))
    c.JupyterHub.services = [
        {
            "name": "spawn-doctor",
            "command": [node, str(root / "bin" / "spawn-doctor.js"), "run"],
            "url": f"http://127.0.0.1:{service_port}",
            "cwd": str(root),
            "environment": {
                "KUBECONFIG": env("SPAWN_DOCTOR_KUBECONFIG", kubeconfig),
                "SPAWN_DOCTOR_CONFIG": env("SPAWN_DOCTOR_CONFIG", str(here / "spawn-doctor.yaml")),
                "HOME": env("HOME", "/tmp"),
                # lets a test harness find the service after the hub is gone
                "DEMO_INSTANCE": env("DEMO_INSTANCE", ""),
            },
        }
    ]
    c.JupyterHub.load_roles = [
        {
            "name": "spawn-doctor",
            "description": "What spawn-doctor needs: follow progress, cancel spawns, map users.",
            "scopes": SPAWN_DOCTOR_SCOPES,
            "services": ["spawn-doctor"],
        }
    ]
