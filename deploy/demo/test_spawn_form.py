"""Unit tests of the demo spawn form (pure; run by test/unit/demo/spawn-form.test.ts).

    python3 -m unittest discover -s deploy/demo -p 'test_*.py' -v
"""

import json
import os
import sys
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import spawn_form as f  # noqa: E402


def problems(options):
    try:
        f.normalize(options)
    except f.FormError as e:
        return e.problems
    raise AssertionError(f"{options!r} was accepted")


class Normalize(unittest.TestCase):
    def test_empty_options_are_the_defaults(self):
        self.assertEqual(f.normalize({}), f.DEFAULTS)

    def test_form_strings_become_typed_values(self):
        o = f.normalize(
            {
                "cpu": "2.5",
                "memory": " 4 ",
                "gpu": "nvidia.com/mig-1g.10gb",
                "gpu_count": "3",
                "node_selector": "a=b\nkubernetes.io/hostname = tainted-1",
                "tolerations": "dedicated=ai-team:NoSchedule\ngpu:NoExecute\nanything",
                "pod_patch": '{"metadata": {"labels": {"x": "y"}}}',
            }
        )
        self.assertEqual((o["cpu"], o["memory"], o["gpu_count"]), (2.5, 4.0, 3))
        self.assertEqual(o["node_selector"], {"a": "b", "kubernetes.io/hostname": "tainted-1"})
        self.assertEqual(
            o["tolerations"],
            [
                {"key": "dedicated", "operator": "Equal", "value": "ai-team", "effect": "NoSchedule"},
                {"key": "gpu", "operator": "Exists", "effect": "NoExecute"},
                {"key": "anything", "operator": "Exists"},
            ],
        )
        self.assertEqual(o["pod_patch"], {"metadata": {"labels": {"x": "y"}}})

    def test_rest_json_values_and_the_user_options_wrapper(self):
        raw = {"cpu": 4, "node_selector": {"a": "b"}, "tolerations": [{"key": "k", "operator": "Exists"}]}
        self.assertEqual(f.normalize({"user_options": raw}), f.normalize(raw))
        self.assertEqual(f.normalize(raw)["cpu"], 4.0)

    def test_normalize_is_idempotent(self):
        o = f.normalize({"cpu": "3", "tolerations": "a=b:NoSchedule", "home": "brno2", "pod_patch": "{}"})
        self.assertEqual(f.normalize(o), o)
        self.assertEqual(f.normalize(json.loads(json.dumps(o))), o)

    def test_values_that_only_the_cluster_can_refuse_pass(self):
        # these must reach Kubernetes: each triggers a spawn error the demo exists to show
        o = f.normalize(
            {
                "image": "registry.invalid.example/Bad:Name::",
                "cpu": "500",
                "memory": "0.25",
                "gpu": "example.com/unobtainium",
                "gpu_count": "99",
                "pvc": "does-not-exist",
                "env_secret": "missing-secret",
                "node_selector": "gpu=none-such",
            }
        )
        self.assertEqual(o["image"], "registry.invalid.example/Bad:Name::")
        self.assertEqual(o["gpu_count"], 99)

    def test_numbers(self):
        for bad in ("abc", "-1", "0", "nan", "inf", True, [1], {"a": 1}):
            self.assertIn("cpu", problems({"cpu": bad}), bad)
        self.assertEqual(f.normalize({"cpu": ""})["cpu"], f.DEFAULTS["cpu"])  # empty = default
        self.assertIn("whole number", problems({"gpu": "nvidia.com/gpu", "gpu_count": "1.5"})["gpu_count"])
        self.assertIn("memory", problems({"memory": "lots"}))
        # advice may suggest no GPU at all: gpu none with count 0 must be accepted
        self.assertEqual(f.normalize({"gpu": "none", "gpu_count": 0})["gpu_count"], 0)
        self.assertIn("gpu_count", problems({"gpu_count": "-1"}))

    def test_names_kubernetes_refuses(self):
        self.assertIn("pvc", problems({"pvc": "Has_Upper"}))
        self.assertIn("s3_pvc", problems({"s3_pvc": "a" * 254}))
        self.assertIn("env_secret", problems({"env_secret": "-lead"}))
        self.assertIn("home", problems({"home": "brno 12"}))
        self.assertIn("home", problems({"home": "storage.with.dots"}))
        self.assertIn("gpu", problems({"gpu": "gpu"}))  # extended resources need a domain
        self.assertIn("gpu", problems({"gpu": "kubernetes.io/gpu"}))
        self.assertIn("gpu", problems({"gpu": "bad gpu/x"}))
        self.assertIn("image", problems({"image": ""}))
        self.assertIn("image", problems({"image": " leading-space"}))
        self.assertIn("node_selector", problems({"node_selector": "novalue"}))
        self.assertIn("node_selector", problems({"node_selector": {"a": "b c"}}))
        self.assertIn("node_selector", problems({"node_selector": "{not json"}))
        self.assertIn("tolerations", problems({"tolerations": "a=b:Sometimes"}))
        self.assertIn("tolerations", problems({"tolerations": [{"key": "a", "operator": "Exists", "value": "v"}]}))
        self.assertIn("tolerations", problems({"tolerations": ["a=b"]}))
        self.assertIn("pod_patch", problems({"pod_patch": "[1]"}))
        self.assertIn("pod_patch", problems({"pod_patch": "spec: {}"}))

    def test_every_problem_is_reported_at_once(self):
        p = problems({"cpu": "x", "memory": "-2", "pvc": "A", "nonsense": 1})
        self.assertEqual(set(p), {"cpu", "memory", "pvc", "nonsense"})
        with self.assertRaises(f.FormError) as ctx:
            f.normalize({"cpu": "x"})
        self.assertIn("cpu: must be a number of cores", str(ctx.exception))

    def test_not_an_object(self):
        self.assertIn("options", problems([1, 2]))


class Form(unittest.TestCase):
    def test_options_from_form(self):
        o = f.options_from_form({"image": [f.CATALOG_IMAGES[1][0]], "image_custom": [""], "cpu": ["2"]})
        self.assertEqual((o["image"], o["cpu"]), (f.CATALOG_IMAGES[1][0], 2.0))
        o = f.options_from_form({"image": [f.CATALOG_IMAGES[1][0]], "image_custom": ["my/own:1"]})
        self.assertEqual(o["image"], "my/own:1")

    def test_form_errors_from_the_form(self):
        with self.assertRaises(f.FormError):
            f.options_from_form({"memory": ["two"]})

    def test_render_escapes_and_prefills(self):
        evil = '"><img src=x onerror=alert(1)>'
        page = f.render_form({"image": evil, "cpu": 3, "tolerations": "a=b:NoSchedule"})
        self.assertNotIn("<img", page)
        self.assertIn("&quot;&gt;&lt;img", page)
        self.assertIn('value="3"', page)
        self.assertIn("a=b:NoSchedule</textarea>", page)
        for key in f.KEYS:
            self.assertIn(f'name="{key}"', page)
            self.assertIn(f"sd-{key}-hint", page)

    def test_render_round_trips_through_the_form(self):
        opts = f.normalize({"cpu": 3, "node_selector": {"a": "b"}, "tolerations": "k:NoExecute\nx=y"})
        import re

        page = f.render_form(opts)
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
        areas = dict(re.findall(r'name="(\w+)" rows="\d+" aria-describedby="[^"]*">([^<]*)</textarea>', page))
        formdata = {k: [v] for k, v in {**fields, **areas}.items()}
        formdata["image"] = [opts["image"]]
        self.assertEqual(f.options_from_form(formdata), opts)

    def test_a_refused_submission_is_shown_as_typed(self):
        page = f.render_form({}, {"cpu": "abc", "pod_patch": "{oops", "image_custom": "<x>"})
        self.assertIn('name="cpu" value="abc"', page)
        self.assertIn(">{oops</textarea>", page)
        self.assertIn('value="&lt;x&gt;"', page)

    def test_invalid_previous_options_render_the_defaults(self):
        self.assertIn(f'value="{int(f.DEFAULTS["cpu"])}"', f.render_form({"cpu": "x"}))


class PodSettings(unittest.TestCase):
    def test_merge_patch_rfc7386(self):
        target = {"a": "b", "c": {"d": "e", "f": "g"}, "l": [1, 2]}
        patch = {"a": "z", "c": {"f": None}, "l": [3], "n": {"m": 1}}
        self.assertEqual(f.merge_patch(target, patch), {"a": "z", "c": {"d": "e"}, "l": [3], "n": {"m": 1}})
        self.assertEqual(target["c"], {"d": "e", "f": "g"})  # not mutated

    def test_spawner_settings(self):
        o = f.normalize(
            {"cpu": 2, "memory": 0.25, "gpu": "nvidia.com/gpu", "gpu_count": 2, "pvc": "data-1",
             "s3_pvc": "bucket", "env_secret": "creds", "home": "brno12-cerit"}
        )
        s = f.spawner_settings(o, "jupyterhub-alice-demo-ns", "alice")
        t = s["traits"]
        self.assertEqual((t["cpu_guarantee"], t["cpu_limit"]), (2.0, 2.0))
        self.assertEqual((t["mem_guarantee"], t["mem_limit"]), (268435456, 268435456))
        self.assertEqual(t["extra_resource_limits"], {"nvidia.com/gpu": "2"})
        self.assertEqual(t["extra_resource_guarantees"], {"nvidia.com/gpu": "2"})
        self.assertEqual(t["extra_container_config"], {"envFrom": [{"secretRef": {"name": "creds"}}]})
        claims = [v["persistentVolumeClaim"]["claimName"] for v in t["volumes"]]
        self.assertEqual(claims, ["data-1", "bucket", "brno12-cerit-data-sshfs"])
        self.assertIn({"name": "home-brno12-cerit", "mountPath": "/home/jovyan/brno12-cerit"}, t["volume_mounts"])
        secret, pv, pvc = s["home"]
        self.assertEqual(pv["metadata"]["name"], "jupyterhub-alice-demo-ns-brno12-cerit-data-sshfs")
        attrs = pv["spec"]["csi"]["volumeAttributes"]
        self.assertEqual(pv["spec"]["csi"]["driver"], "csi-sshfs")
        self.assertEqual(attrs["server"], "storage-brno12-cerit.metacentrum.cz")
        self.assertEqual((attrs["user"], attrs["share"], attrs["port"]), ("alice", "/home/alice", "22"))
        self.assertEqual(attrs["privateKey"], f"jupyterhub-alice-demo-ns/{secret['metadata']['name']}")
        self.assertEqual(pvc["spec"]["volumeName"], pv["metadata"]["name"])
        self.assertEqual(pv["spec"]["claimRef"]["name"], pvc["metadata"]["name"])

    def test_scratch_volume(self):
        s = f.spawner_settings(f.normalize({"scratch": "results"}), "jupyterhub-alice-demo-ns", "alice")
        t = s["traits"]
        self.assertEqual(t["volumes"], [{"name": "scratch", "persistentVolumeClaim": {"claimName": "results-scratch"}}])
        self.assertEqual(t["volume_mounts"], [{"name": "scratch", "mountPath": "/home/jovyan/scratch"}])
        pv, pvc = s["scratch"]
        self.assertEqual(pv["spec"]["accessModes"], ["ReadWriteOnce"])
        self.assertEqual(pv["spec"]["csi"]["driver"], "cinder.csi.openstack.org")
        # one name is one OpenStack disk, whatever the namespace: the id is the name
        self.assertEqual(pv["spec"]["csi"]["volumeHandle"], "results")
        self.assertEqual(pvc["spec"]["volumeName"], pv["metadata"]["name"])
        self.assertEqual(pv["spec"]["claimRef"], {"namespace": "jupyterhub-alice-demo-ns", "name": "results-scratch"})
        self.assertIn("scratch", problems({"scratch": "Results!"}))

    def test_no_gpu_no_volumes_by_default(self):
        t = f.spawner_settings(f.normalize({}), "ns", "u")["traits"]
        self.assertEqual((t["extra_resource_limits"], t["volumes"], t["extra_container_config"]), ({}, [], {}))
        self.assertEqual(t["node_selector"], {"cerit.io/jupyter-workload": "true"})


class Triggers(unittest.TestCase):
    def test_every_trigger_passes_the_form_except_the_form_error(self):
        for what, options, expect in f.TRIGGERS:
            if expect == "form-error":
                self.assertTrue(problems(options), what)
            else:
                f.normalize(options)

    def test_table_lists_every_trigger(self):
        table = f.trigger_table().splitlines()
        self.assertEqual(len(table), len(f.TRIGGERS))
        self.assertIn("image docker.io/library/this-image-does-not-exist:42", table[2])

    def test_the_readme_tables_are_the_generated_one(self):
        root = Path(__file__).resolve().parent.parent.parent
        md = f.trigger_markdown()
        for path in ("README.md", "deploy/demo/README-try-it.md"):
            self.assertIn(md, (root / path).read_text(encoding="utf-8"), f"{path}: run spawn_form.py --markdown")


if __name__ == "__main__":
    unittest.main()
