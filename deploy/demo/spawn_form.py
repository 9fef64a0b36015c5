"""The demo hub's spawn form: every field may take any value, so each spawn error can be triggered.

Pure Python (no JupyterHub import), shared by the demo hub, the integration tests and the
browser tests. The contract is the set of `user_options` keys below; the form and the REST API
(`POST /hub/api/users/{user}/servers/{name}` with the options as the JSON body, or wrapped in
{"user_options": {...}}) both go through `normalize()`, which rejects only what JupyterHub or
Kubernetes would refuse outright (not a number, a negative size, a name Kubernetes refuses).
Everything else, e.g. an image that does not exist, is left for the cluster to fail on.
"""

import html
import json
import math
import re

# The testbed catalog's images (testbed/catalog.yaml): what each one does there.
CATALOG_IMAGES = [
    ("quay.io/jupyter/minimal-notebook:2025-10-20", "works, pulls in ~2 s (needs >= 0.4 GiB)"),
    ("quay.io/jupyter/scipy-notebook:2025-10-20", "works"),
    ("cerit.io/jupyter/big-ml-notebook:2025.11", "slow pull (~45 s), then works: not stopped"),
    ("cerit.io/jupyter/crashing-notebook:1", "crash loop"),
    ("docker.io/library/this-image-does-not-exist:42", "image not found"),
    ("cerit.io/private/secret-notebook:1", "registry refuses access (401)"),
    ("registry.invalid.example/foo:1", "registry unreachable (DNS)"),
    ("cerit.io/jupyter/broken-build-notebook:1", "its entrypoint script is missing: cannot start"),
    ("cerit.io/jupyter/memory-pressure-notebook:1", "the node runs low on memory: evicted"),
]

DEFAULTS = {
    "image": CATALOG_IMAGES[0][0],
    "cpu": 1.0,
    "memory": 2.0,
    "gpu": "none",
    "gpu_count": 1,
    "pvc": "",
    "home": "",
    "scratch": "",
    "s3_pvc": "",
    "env_secret": "",
    "node_selector": {"cerit.io/jupyter-workload": "true"},
    "tolerations": [],
    "pod_patch": {},
}

# One short hint a field: what to enter to trigger what.
HINTS = {
    "image": "Pick one or type any reference; Bad:Image::Name is an invalid name.",
    "cpu": "Cores. 1 works; 500 is more than any node has.",
    "memory": "GiB. 2 works; 0.25 is killed for running out of memory; 1000 fits no node.",
    "gpu": "none, nvidia.com/gpu (2 on gpu-a40-1), nvidia.com/mig-1g.10gb, or any resource name.",
    "gpu_count": "How many of that resource; 3 whole GPUs fit no node.",
    "pvc": "An existing PVC to mount at /home/jovyan/data; a name that does not exist fails.",
    "home": "MetaCentrum storage mounted over sshfs, e.g. brno2 (works), praha5-elixir "
    "(attach hangs), brno12-cerit or plzen4-ntis (mount fails).",
    "scratch": "A ReadWriteOnce OpenStack Cinder volume of this name (created on first use), mounted at "
    "/home/jovyan/scratch; two servers on different nodes cannot share one. gone is a volume deleted in "
    "OpenStack (its attach fails).",
    "s3_pvc": "An existing S3-backed PVC, mounted at /home/jovyan/s3.",
    "env_secret": "A secret to load environment variables from; a missing one fails.",
    "node_selector": "key=value lines. gpu=none-such matches no node.",
    "tolerations": "key=value:Effect lines, e.g. dedicated=ai-team:NoSchedule for tainted-1.",
    "pod_patch": 'A JSON merge patch for the pod, e.g. {"metadata": {"labels": {"team": "ai"}}}; '
    '{"spec": {"priorityClassName": "none-such"}} is refused when the pod is created; the trigger table '
    "below has patches for an NFS share, extra networks and sysctls.",
}

KEYS = tuple(DEFAULTS)
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED_NAME_PART = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


class FormError(ValueError):
    """Invalid spawn options; `problems` maps each field to what is wrong with it."""

    def __init__(self, problems):
        self.problems = dict(problems)
        super().__init__(
            "Invalid spawn options: " + "; ".join(f"{k}: {v}" for k, v in self.problems.items())
        )


# ---- checks of what Kubernetes refuses (apimachinery's validation rules) ----


def _is_subdomain(s):
    return len(s) <= 253 and bool(_DNS_SUBDOMAIN.match(s))


def _is_qualified_name(s):
    """A label key or a resource name: optional DNS-subdomain prefix, '/', and a name part."""
    prefix, _, name = s.rpartition("/")
    if "/" in s and not prefix:
        return False
    if prefix and not _is_subdomain(prefix):
        return False
    return 0 < len(name) <= 63 and bool(_QUALIFIED_NAME_PART.match(name))


def _is_label_value(s):
    return len(s) <= 63 and bool(_LABEL_VALUE.match(s))


# ---- one parser a field: each takes the raw value (str from the form, any JSON from REST) ----


def _text(value):
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {json.dumps(value)}")
    return value.strip()


def _number(value, what, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"must be a number of {what}, not {json.dumps(value)}")
    try:
        n = float(value)
    except ValueError:
        raise ValueError(f"must be a number of {what}, not {value!r}") from None
    if not math.isfinite(n) or n < 0 or (n == 0 and not allow_zero):
        adjective = "non-negative" if allow_zero else "positive"
        raise ValueError(f"must be a {adjective} number of {what}, not {value!r}")
    return n


def _image(value):
    s = value if isinstance(value, str) else _text(value)
    if not s.strip():
        raise ValueError("must not be empty")
    if s != s.strip():
        # the API server refuses leading or trailing whitespace in an image reference
        raise ValueError("must not start or end with whitespace")
    return s


def _gpu(value):
    s = _text(value) or "none"
    if s.lower() == "none":
        return "none"
    # extended resources must be fully qualified and outside the kubernetes.io domain
    if "/" not in s or not _is_qualified_name(s):
        raise ValueError(f"{s!r} is not a resource name like nvidia.com/gpu (or 'none')")
    if s.split("/")[0].endswith("kubernetes.io"):
        raise ValueError(f"{s!r}: extended resources may not use the kubernetes.io domain")
    return s


def _gpu_count(value):
    # 0 is a valid count: advice may suggest `gpu: none, gpu_count: 0` (DESIGN section 4).
    n = _number(value, "devices", allow_zero=True)
    if n != int(n):
        raise ValueError(f"must be a whole number of devices, not {value!r}")
    return int(n)


def _object_name(value):
    s = _text(value)
    if s and not _is_subdomain(s):
        raise ValueError(f"{s!r} is not a valid Kubernetes name (lower-case a-z, 0-9, '-', '.')")
    return s


def _storage_name(value):
    s = _text(value)
    # it becomes part of a host name, a PV name and a mount path
    if s and not (len(s) <= 40 and _DNS_LABEL.match(s)):
        raise ValueError(f"{s!r} is not a storage name like brno12-cerit (a-z, 0-9, '-')")
    return s


def _lines(text):
    return [ln.strip() for ln in re.split(r"[\n,]", text) if ln.strip()]


def _json_or_text(value, json_type, what):
    """REST may send parsed JSON; the form sends text that may itself be JSON."""
    if isinstance(value, json_type):
        return value, None
    s = _text(value)
    if s[:1] in ("{", "["):
        try:
            parsed = json.loads(s)
        except ValueError as e:
            raise ValueError(f"is not valid JSON: {e}") from None
        if not isinstance(parsed, json_type):
            raise ValueError(f"must be {what}")
        return parsed, None
    return None, s


def _node_selector(value):
    parsed, text = _json_or_text(value, dict, "a JSON object of labels")
    if parsed is None:
        parsed = {}
        for line in _lines(text):
            key, sep, val = line.partition("=")
            if not sep:
                raise ValueError(f"{line!r} is not key=value")
            parsed[key.strip()] = val.strip()
    for key, val in parsed.items():
        if not _is_qualified_name(key):
            raise ValueError(f"{key!r} is not a valid label key")
        if not isinstance(val, str) or not _is_label_value(val):
            raise ValueError(f"{val!r} is not a valid label value (max 63 of A-Z a-z 0-9 - _ .)")
    return dict(parsed)


def _toleration_from_line(line):
    """key=value:Effect, key:Effect (any value), key=value (any effect) or key."""
    body, _, effect = line.partition(":")
    key, sep, val = body.partition("=")
    t = {"key": key.strip(), "operator": "Equal" if sep else "Exists"}
    if sep:
        t["value"] = val.strip()
    if effect.strip():
        t["effect"] = effect.strip()
    return t


def _tolerations(value):
    parsed, text = _json_or_text(value, list, "a JSON list of tolerations")
    if parsed is None:
        parsed = [_toleration_from_line(line) for line in _lines(text)]
    out = []
    for t in parsed:
        if not isinstance(t, dict):
            raise ValueError(f"{json.dumps(t)} is not a toleration object")
        key, op = t.get("key", ""), t.get("operator", "Equal")
        if key and not _is_qualified_name(key):
            raise ValueError(f"{key!r} is not a valid taint key")
        if op not in ("Equal", "Exists"):
            raise ValueError(f"operator {op!r} must be Equal or Exists")
        if op == "Exists" and t.get("value"):
            raise ValueError(f"{key}: a value needs operator Equal")
        if t.get("effect") and t["effect"] not in TAINT_EFFECTS:
            raise ValueError(f"effect {t['effect']!r} must be one of {', '.join(TAINT_EFFECTS)}")
        if t.get("value") and not _is_label_value(t["value"]):
            raise ValueError(f"{t['value']!r} is not a valid taint value")
        out.append(dict(t))
    return out


def _pod_patch(value):
    if value in (None, ""):
        return {}
    parsed, text = _json_or_text(value, dict, "a JSON object")
    if parsed is None:
        raise ValueError(f"must be a JSON object (a merge patch), not {text!r}")
    return parsed


PARSERS = {
    "image": _image,
    "cpu": lambda v: _number(v, "cores"),
    "memory": lambda v: _number(v, "GiB"),
    "gpu": _gpu,
    "gpu_count": _gpu_count,
    "pvc": _object_name,
    "home": _storage_name,
    "scratch": _storage_name,
    "s3_pvc": _object_name,
    "env_secret": _object_name,
    "node_selector": _node_selector,
    "tolerations": _tolerations,
    "pod_patch": _pod_patch,
}


def normalize(options):
    """Raw options (form or REST) -> the typed user_options; raises FormError listing every problem.

    Missing keys take their defaults; unknown keys are refused (a typo must not be ignored
    silently). normalize(normalize(x)) == normalize(x).
    """
    if isinstance(options, dict) and set(options) == {"user_options"}:
        options = options["user_options"]
    if not isinstance(options, dict):
        raise FormError({"options": "must be a JSON object"})
    problems = {k: "is not a field of this form" for k in options if k not in PARSERS}
    out = {}
    for key, parse in PARSERS.items():
        raw = options.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip() and key != "image"):
            out[key] = _copy(DEFAULTS[key])
            continue
        try:
            out[key] = parse(raw)
        except ValueError as e:
            problems[key] = str(e)
    if problems:
        raise FormError(problems)
    return out


def _copy(v):
    return json.loads(json.dumps(v))


# ---- the HTML form and its reading ----


def options_from_form(formdata):
    """JupyterHub's options_from_form: {name: [str]} from the POSTed form -> user_options."""
    raw = {k: v[0] for k, v in formdata.items() if v and k in PARSERS}
    custom = (formdata.get("image_custom") or [""])[0]
    if custom.strip():
        raw["image"] = custom
    elif "image" not in raw:
        raw["image"] = DEFAULTS["image"]
    return normalize(raw)


def _as_text(key, value):
    if key == "node_selector":
        return "\n".join(f"{k}={v}" for k, v in value.items())
    if key == "tolerations":
        return "\n".join(_toleration_to_line(t) for t in value)
    if key == "pod_patch":
        return json.dumps(value) if value else ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _toleration_to_line(t):
    if set(t) - {"key", "operator", "value", "effect"}:
        return json.dumps(t)
    line = t.get("key", "")
    if t.get("operator", "Equal") == "Equal":
        line += "=" + t.get("value", "")
    return line + (":" + t["effect"] if t.get("effect") else "")


def render_form(previous=None, submitted=None):
    """The form's HTML, pre-filled with the previous options when they are valid.

    `submitted` ({field: text}) is a refused submission, shown again as it was typed.
    """
    try:
        values = normalize(previous or {})
    except FormError:
        values = _copy(DEFAULTS)
    submitted = submitted or {}
    e = html.escape
    known = [img for img, _ in CATALOG_IMAGES]
    selected = submitted.get("image", values["image"])
    options = "".join(
        f'<option value="{e(img)}"{" selected" if img == selected else ""}>'
        f"{e(img)} ({e(note)})</option>"
        for img, note in CATALOG_IMAGES
    )
    custom = submitted.get("image_custom", "" if values["image"] in known else values["image"])

    def row(key, label, control):
        return (
            f'<div class="form-group"><label for="sd-{key}">{e(label)}</label>{control}'
            f'<small class="form-text text-muted" id="sd-{key}-hint">{e(HINTS[key])}</small></div>'
        )

    def shown(key):
        return submitted[key] if key in submitted else _as_text(key, values[key])

    def text(key, kind="text", extra=""):
        v = e(shown(key))
        return (
            f'<input class="form-control" type="{kind}" id="sd-{key}" name="{key}" value="{v}" '
            f'aria-describedby="sd-{key}-hint" {extra}>'
        )

    def area(key, rows=2):
        return (
            f'<textarea class="form-control" id="sd-{key}" name="{key}" rows="{rows}" '
            f'aria-describedby="sd-{key}-hint">{e(shown(key))}</textarea>'
        )

    # numbers are type=text on purpose: "any value" includes ones the browser would refuse
    return "\n".join(
        [
            '<div class="spawn-doctor-demo-form">',
            row(
                "image",
                "Image",
                f'<select class="form-control" id="sd-image" name="image">{options}</select>'
                f'<input class="form-control" type="text" name="image_custom" '
                f'placeholder="or any other image reference" value="{e(custom)}" '
                f'aria-label="Other image">',
            ),
            row("cpu", "CPU (cores)", text("cpu", extra='inputmode="decimal"')),
            row("memory", "Memory (GiB)", text("memory", extra='inputmode="decimal"')),
            row("gpu", "GPU resource", text("gpu")),
            row("gpu_count", "GPU count", text("gpu_count", extra='inputmode="numeric"')),
            row("pvc", "Existing PVC", text("pvc")),
            row("home", "MetaCentrum home (sshfs)", text("home")),
            row("scratch", "Scratch volume (Cinder, ReadWriteOnce)", text("scratch")),
            row("s3_pvc", "S3 PVC", text("s3_pvc")),
            row("env_secret", "Secret with environment variables", text("env_secret")),
            row("node_selector", "Node selector", area("node_selector")),
            row("tolerations", "Tolerations", area("tolerations")),
            row("pod_patch", "Pod patch (JSON merge patch)", area("pod_patch", 3)),
            "</div>",
        ]
    )


# ---- what the options mean for the pod (pure; the spawner applies it) ----


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch: objects merge, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return _copy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def home_names(namespace, storage):
    """Names of what the hub creates for an sshfs home, shaped like the site's."""
    return {
        "pv": f"{namespace}-{storage}-data-sshfs",
        "pvc": f"{storage}-data-sshfs",
        "secret": f"{storage}-sshfs-key",
        "volume": f"home-{storage}",
        "mount_path": f"/home/jovyan/{storage}",
        "server": f"storage-{storage}.metacentrum.cz",
    }


def _bound_volume(namespace, pv_name, pvc_name, labels, access_mode, storage_class, csi):
    """A statically provisioned CSI PV and the PVC bound to it, as a site's provisioning makes them."""
    pv = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": pv_name, "labels": labels},
        "spec": {
            "capacity": {"storage": "10Gi"},
            "accessModes": [access_mode],
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": storage_class,
            "claimRef": {"namespace": namespace, "name": pvc_name},
            "csi": csi,
        },
    }
    pvc = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": pvc_name, "namespace": namespace, "labels": labels},
        "spec": {
            "accessModes": [access_mode],
            "storageClassName": storage_class,
            "volumeName": pv_name,
            "resources": {"requests": {"storage": "10Gi"}},
        },
    }
    return pv, pvc


def home_manifests(namespace, storage, username):
    """The key Secret, the csi-sshfs PV and the PVC bound to it (plain dicts for the API)."""
    n = home_names(namespace, storage)
    labels = {"app.kubernetes.io/managed-by": "spawn-doctor-demo", "storage": storage}
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": n["secret"], "namespace": namespace, "labels": labels},
        "type": "Opaque",
        # a placeholder: the testbed's sshfs driver decides success from the storage name
        "stringData": {"privateKey": "demo placeholder, not a key\n"},
    }
    pv, pvc = _bound_volume(
        namespace,
        n["pv"],
        n["pvc"],
        labels,
        access_mode="ReadWriteMany",
        storage_class="sshfs",
        csi={
            "driver": "csi-sshfs",
            "volumeHandle": n["pv"],
            "volumeAttributes": {
                "server": n["server"],
                "port": "22",
                "share": f"/home/{username}",
                "user": username,
                "privateKey": f"{namespace}/{n['secret']}",
            },
        },
    )
    return secret, pv, pvc


# The testbed's Cinder CSI driver (testbed/catalog.yaml `cinder`); a site's would be the same name.
CINDER_DRIVER = "cinder.csi.openstack.org"


def scratch_names(namespace, name):
    """Names of a scratch volume's PV and PVC. The OpenStack volume id is the name itself: one
    name is one disk, so two servers using it on different nodes meet the Multi-Attach refusal."""
    return {
        "pv": f"{namespace}-{name}-scratch",
        "pvc": f"{name}-scratch",
        "volume": "scratch",
        "mount_path": "/home/jovyan/scratch",
        "volume_id": name,
    }


def scratch_manifests(namespace, name):
    """The Cinder CSI PV (ReadWriteOnce, attached by the attach-detach controller) and its PVC."""
    n = scratch_names(namespace, name)
    labels = {"app.kubernetes.io/managed-by": "spawn-doctor-demo", "scratch": name}
    csi = {"driver": CINDER_DRIVER, "volumeHandle": n["volume_id"], "fsType": "ext4"}
    return _bound_volume(
        namespace, n["pv"], n["pvc"], labels, access_mode="ReadWriteOnce", storage_class="cinder-scratch", csi=csi
    )


def spawner_settings(opts, namespace, username):
    """Typed user_options -> KubeSpawner trait values (and the sshfs home objects to create)."""
    volumes, mounts = [], []
    for key, name, path in (("pvc", "data", "/home/jovyan/data"), ("s3_pvc", "s3", "/home/jovyan/s3")):
        if opts[key]:
            volumes.append({"name": name, "persistentVolumeClaim": {"claimName": opts[key]}})
            mounts.append({"name": name, "mountPath": path})
    home = None
    if opts["home"]:
        n = home_names(namespace, opts["home"])
        volumes.append({"name": n["volume"], "persistentVolumeClaim": {"claimName": n["pvc"]}})
        mounts.append({"name": n["volume"], "mountPath": n["mount_path"]})
        home = home_manifests(namespace, opts["home"], username)
    scratch = None
    if opts["scratch"]:
        n = scratch_names(namespace, opts["scratch"])
        volumes.append({"name": n["volume"], "persistentVolumeClaim": {"claimName": n["pvc"]}})
        mounts.append({"name": n["volume"], "mountPath": n["mount_path"]})
        scratch = scratch_manifests(namespace, opts["scratch"])
    gpu = {} if opts["gpu"] == "none" else {opts["gpu"]: str(opts["gpu_count"])}
    memory = int(opts["memory"] * 1024**3)
    container = {}
    if opts["env_secret"]:
        container["envFrom"] = [{"secretRef": {"name": opts["env_secret"]}}]
    return {
        "traits": {
            "image": opts["image"],
            "cpu_guarantee": opts["cpu"],
            "cpu_limit": opts["cpu"],
            "mem_guarantee": memory,
            "mem_limit": memory,
            "extra_resource_guarantees": gpu,
            "extra_resource_limits": gpu,
            "node_selector": opts["node_selector"],
            "tolerations": opts["tolerations"],
            "volumes": volumes,
            "volume_mounts": mounts,
            "extra_container_config": container,
        },
        "home": home,
        "scratch": scratch,
        "pod_patch": opts["pod_patch"],
    }


# ---- what to enter to see each case (run.sh prints it; the integration test checks every row) ----

# Pod patches for faults the other fields do not reach (testbed/catalog.yaml: the NFS server's
# exports, the Multus networks, the kubelet's sysctls).
NFS_PATCH = '{"spec": {"volumes": [{"name": "projects", "nfs": {"server": "nfs.cerit-sc.cz", "path": "/scratch"}}]}}'
NETWORK_PATCH = '{"metadata": {"annotations": {"k8s.v1.cni.cncf.io/networks": "%s"}}}'
SYSCTL_PATCH = '{"spec": {"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "65536"}]}}}'

# (what happens, the options to enter, what the test expects: "ready", "form-error", or the
# spawn-doctor category, or a category family ending in ".")
TRIGGERS = [
    ("a working server", {}, "ready"),
    ("slow image pull: waits, then works", {"image": CATALOG_IMAGES[2][0], "memory": 3}, "ready"),
    ("image not found", {"image": CATALOG_IMAGES[4][0]}, "image.not_found"),
    ("private image (401)", {"image": CATALOG_IMAGES[5][0]}, "image.access_denied"),
    ("invalid image name", {"image": "Bad:Image::Name"}, "image.invalid_name"),
    ("registry unreachable: waits its budget, then stops", {"image": CATALOG_IMAGES[6][0]},
     "image.registry_unreachable"),
    ("crash loop", {"image": CATALOG_IMAGES[3][0]}, "runtime.crash_loop"),
    ("out of memory", {"memory": 0.25}, "runtime.oom_killed"),
    ("more CPU than any node has", {"cpu": 500}, "scheduling."),
    ("more memory than any node has", {"memory": 1000}, "scheduling."),
    ("more GPUs than any node has", {"gpu": "nvidia.com/gpu", "gpu_count": 3}, "scheduling."),
    ("a MIG slice (works)", {"gpu": "nvidia.com/mig-1g.10gb", "gpu_count": 1}, "ready"),
    ("PVC not found", {"pvc": "does-not-exist"}, "volume.pvc_not_found"),
    ("sshfs home: the attach hangs, stopped after 20 s", {"home": "praha5-elixir"},
     "volume.sshfs_attach_failed"),
    ("sshfs home: mount fails", {"home": "brno12-cerit"}, "volume.sshfs_mount_failed"),
    ("sshfs home that works", {"home": "brno2"}, "ready"),
    ("sshfs home: slow attach (10 s), then works", {"home": "budejovice1"}, "ready"),
    ("scratch volume deleted in OpenStack: attach fails", {"scratch": "gone"}, "volume.attach_failed"),
    ("NFS share the server refuses", {"pod_patch": NFS_PATCH}, "volume.mount_failed"),
    ("missing secret", {"env_secret": "does-not-exist"}, "config.missing_reference"),
    ("no node matches the selector", {"node_selector": "gpu=none-such"}, "scheduling.no_matching_node"),
    ("untolerated taint", {"node_selector": "kubernetes.io/hostname=tainted-1"},
     "scheduling.no_matching_node"),
    ("taint tolerated (works)", {"node_selector": "kubernetes.io/hostname=tainted-1",
                         "tolerations": "dedicated=ai-team:NoSchedule"}, "ready"),
    ("an image whose entrypoint is missing: it cannot start", {"image": CATALOG_IMAGES[7][0]},
     "runtime.start_failed"),
    ("the node runs low on memory: evicted", {"image": CATALOG_IMAGES[8][0]}, "pod.evicted"),
    ("network: the extra network does not exist: waits its budget, then stops",
     {"pod_patch": NETWORK_PATCH % "none-such"}, "sandbox.failed"),
    ("network: address pool exhausted for 15 s: waits, then works",
     {"pod_patch": NETWORK_PATCH % "storage-net"}, "ready"),
    ("a warning nothing recognises (a sysctl the node refuses)", {"pod_patch": SYSCTL_PATCH},
     "unknown.warning"),
    ("form error: no pod at all", {"cpu": "abc"}, "form-error"),
]


def trigger_table():
    """The triggers as a plain-text table: what happens | what to enter (other fields as they are)."""
    def entry(options):
        return ", ".join(f"{k} {v}" for k, v in options.items()) or "(the defaults)"

    width = max(len(what) for what, _, _ in TRIGGERS)
    return "\n".join(f"{what:<{width}} | {entry(options)}" for what, options, _ in TRIGGERS)


def trigger_markdown():
    """The same as a Markdown table (README.md and deploy/demo/README-try-it.md hold it)."""
    def value(v):
        return str(v) if isinstance(v, (int, float)) else f"`{v}`"

    def entry(options):
        return ", ".join(f"{k} {value(v)}" for k, v in options.items()) or "(the defaults)"

    rows = ["| what happens | what to enter |", "|---|---|"]
    rows += [f"| {what} | {entry(options)} |" for what, options, _ in TRIGGERS]
    return "\n".join(rows)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--table"]:
        print(trigger_table())
    elif sys.argv[1:] == ["--markdown"]:
        print(trigger_markdown())
    elif sys.argv[1:] == ["--json"]:
        print(json.dumps([{"what": w, "options": o, "expect": e} for w, o, e in TRIGGERS]))
    else:
        sys.exit("usage: spawn_form.py --table | --markdown | --json")
