"""kubectl and Helm against a real etcd, kube-apiserver, kube-controller-manager and kube-scheduler.

The ``cluster`` session fixture (tests/conftest.py) starts one control plane
with ``scripts/control_plane.py``, the code behind ``make control-plane``, and
stops only the processes it started, also when tests fail. Each test takes a
fresh namespace that enforces Pod Security Standards "restricted". No Node is
registered there, so pods stay unscheduled; the scheduling tests start their
own control plane with a Node.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from testbed.paths import script

control_plane = script("control_plane")

Objects = list[dict[str, Any]]
RESTRICTED = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "warn", "audit")}
_names = itertools.count()


class Served(NamedTuple):
    """What a server-side dry run returned: the objects and the warnings it printed."""

    objects: Objects
    warnings: list[str]


@dataclass(frozen=True)
class Cluster:
    """kubectl and Helm against one running control plane."""

    plane: Any

    def kubectl(
        self, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.plane.kubectl), *args],
            input=stdin,
            env=self.plane.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        return result

    def helm(self, binary: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(binary), *args],
            env=self.plane.env(),
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{binary.name} {' '.join(args)} exited {result.returncode}:\n{result.stderr}"
            )
        return result

    def install_crd(self, name: str, *siblings: str) -> None:
        """Install a CRD scripts/import_crds.py imports (from the module tools/crds pins) and wait for it.

        ``siblings`` names more CRD files of the same folder of that module to install, e.g.
        ``"gateway.networking.k8s.io_gateways.yaml"``.
        """
        crd = script("import_crds").crd_file(name)
        for sibling in siblings:
            self._install_crd_file(crd.parent / sibling)
        self._install_crd_file(crd)

    def _install_crd_file(self, crd: Path) -> None:
        self.kubectl("apply", "--server-side", "-f", str(crd))

        def established() -> bool:
            # Polled: `kubectl wait` fails outright while the CRD has no conditions yet.
            # A new CRD's status may be absent, or hold conditions: null, for a moment.
            status = json.loads(self.kubectl("get", "-f", str(crd), "-o", "json").stdout).get("status") or {}
            return any(
                c["type"] == "Established" and c["status"] == "True" for c in status.get("conditions") or []
            )

        wait_for(f"{crd.name} to be established", established)

    def namespace(self, prefix: str = "t") -> str:
        """A new namespace that enforces, warns and audits PSS "restricted"."""
        name = f"{prefix}-{next(_names)}"
        labels = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": RESTRICTED}}
        self.kubectl("create", "-f", "-", stdin=json.dumps(labels))
        return name

    def apply(self, objects: Objects, namespace: str, *extra: str) -> subprocess.CompletedProcess[str]:
        """Server-side apply, as Argo CD's ServerSideApply and `kubectl apply --server-side` do."""
        return self.kubectl(
            "apply",
            "--server-side",
            "--field-manager=todo-tests",
            "-n",
            namespace,
            "-f",
            "-",
            *extra,
            stdin=as_list(objects),
        )

    def dry_run(self, objects: Objects, namespace: str) -> Served:
        """The objects as the API server would store them: admitted, defaulted, not persisted."""
        result = self.kubectl(
            "create", "--dry-run=server", "-n", namespace, "-o", "json", "-f", "-", stdin=as_list(objects)
        )
        warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
        return Served(parse_json_stream(result.stdout), warnings)

    def get(self, kind: str, namespace: str, name: str | None = None, selector: str | None = None) -> Any:
        args = ["get", kind, "-n", namespace, "-o", "json"]
        if name:
            args.insert(2, name)
        if selector:
            args += ["-l", selector]
        return json.loads(self.kubectl(*args).stdout)

    def settle(self, namespace: str) -> None:
        """Wait until the controllers have acted on the namespace's Deployments.

        Each Deployment's latest spec is observed, and each autoscaler has
        raised its target to at least its minimum (its first action).
        """

        def settled() -> bool:
            deployments = {d["metadata"]["name"]: d for d in self.get("deployments", namespace)["items"]}
            autoscalers = self.get("horizontalpodautoscalers", namespace)["items"]
            return all(
                d.get("status", {}).get("observedGeneration") == d["metadata"]["generation"]
                for d in deployments.values()
            ) and all(
                deployments[h["spec"]["scaleTargetRef"]["name"]]["spec"]["replicas"]
                >= h["spec"]["minReplicas"]
                for h in autoscalers
            )

        wait_for(f"the Deployments in {namespace} to settle", settled)

    def assert_no_drift(self, namespace: str, objects: Objects, field_manager: str = "todo-tests") -> None:
        """What Argo CD's Synced rests on: no server-side diff, and every written field reads back as written.

        Stands in for Argo CD's own diff for the constructs' and charts' many value sets, which would take a
        sync each; dist/, the Helm Applications and the environments are synced by Argo CD itself (tests/node).
        """
        self.settle(namespace)
        diff = self.kubectl(
            "diff",
            "--server-side",
            f"--field-manager={field_manager}",
            "-n",
            namespace,
            "-f",
            "-",
            stdin=as_list(objects),
            check=False,
        )
        assert (diff.returncode, diff.stdout) == (0, ""), diff.stdout + diff.stderr
        for obj in objects:
            live = self.get(obj["kind"].lower(), namespace, obj["metadata"]["name"])
            assert changed_fields(obj, live) == [], f"{obj['kind']}/{obj['metadata']['name']}"

    def register_node(self, name: str, *, cpu: str, memory: str, zone: str) -> None:
        """A Ready Node of that size in that zone, as a kubelet would register it (none runs here)."""
        labels = {
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "topology.kubernetes.io/zone": zone,
        }
        node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels}}
        self.kubectl("create", "-f", "-", stdin=json.dumps(node))
        size = {"cpu": cpu, "memory": memory, "pods": "110"}
        ready = {
            "type": "Ready",
            "status": "True",
            "reason": "KubeletReady",
            "message": "registered by the tests",
        }
        status = {"status": {"capacity": size, "allocatable": size, "conditions": [ready]}}
        self.kubectl("patch", "node", name, "--subresource=status", "--type=merge", "-p", json.dumps(status))

    def events(self, namespace: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.get("events", namespace)["items"]
        return items


def parse_json_stream(text: str) -> Objects:
    """kubectl prints one JSON document per object, back to back."""
    decoder, objects, position = json.JSONDecoder(), [], 0
    while text[position:].strip():
        position += len(text[position:]) - len(text[position:].lstrip())
        obj, position = decoder.raw_decode(text, position)
        objects.append(obj)
    return objects


def as_list(objects: Objects) -> str:
    """Objects as one kubectl input document (JSON is YAML)."""
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": objects})


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Poll ``probe`` until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.3)


def start_control_plane(state_dir: Path) -> Iterator[Cluster]:
    """Start one, yield it, stop what it started; a missing binary fails with the command that provides it."""
    try:
        plane = control_plane.up(state_dir)
    except control_plane.MissingBinary as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield Cluster(plane)
    finally:
        control_plane.down(state_dir)


def changed_fields(written: Any, live: Any, path: str = "") -> list[str]:
    """Fields of ``written`` whose live value differs: Argo CD's comparison of what git declares."""
    if isinstance(written, dict):
        if not isinstance(live, dict):
            return [f"{path}: {live!r}"]
        return [
            c for key, value in written.items() for c in changed_fields(value, live.get(key), f"{path}/{key}")
        ]
    if isinstance(written, list):
        if not isinstance(live, list) or len(live) != len(written):
            return [f"{path}: {live!r}"]
        return [
            c
            for i, (w, v) in enumerate(zip(written, live, strict=True))
            for c in changed_fields(w, v, f"{path}/{i}")
        ]
    return [] if written == live else [f"{path}: wrote {written!r}, reads {live!r}"]


def strip_server_fields(obj: dict[str, Any], drop_labels: Sequence[str] = ()) -> dict[str, Any]:
    """An object without what the server writes for itself and the given packaging labels."""
    obj = json.loads(json.dumps(obj))
    metadata = obj["metadata"]
    for key in ("uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "namespace"):
        metadata.pop(key, None)
    template = obj.get("spec", {}).get("template", {}).get("metadata", {})
    for labels in (metadata.get("labels", {}), template.get("labels", {})):
        for key in list(labels):
            if key in drop_labels or key.startswith("cdk8s.io/"):
                del labels[key]
    obj.pop("status", None)
    # Allocated by the server per request, not declared by either packaging.
    spec = obj.get("spec", {}) if obj["kind"] == "Service" else {}
    for key in ("clusterIP", "clusterIPs"):
        spec.pop(key, None)
    for port in spec.get("ports", []):
        port.pop("nodePort", None)
    return obj
