"""Every pod this repository creates meets the Pod Security Standards "restricted" profile.

The checker is tests/support/pss.py, written control by control from the
Kubernetes documentation; the mutations below prove each control can fail.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import pss
from tests.support.manifests import DIST, Manifests


def _pods(folder: Path) -> list[tuple[str, pss.Pod]]:
    objects = Manifests.from_dir(folder)
    return list(pss.pod_templates(objects))


def test_every_pod_template_in_dist_meets_the_restricted_profile() -> None:
    pods = _pods(DIST)

    assert sorted(label for label, _ in pods) == ["Deployment/todo-backend", "Deployment/todo-frontend"]
    for label, pod in pods:
        assert pss.violations(pod) == [], label


def test_every_pod_the_charts_render_meets_the_restricted_profile(policy_targets: Path) -> None:
    # Every value set, both charts, the helm test pods included.
    checked = []
    for folder in sorted(policy_targets.glob("helm-*")):
        for label, pod in _pods(folder):
            assert pss.violations(pod) == [], f"{folder.name}: {label}"
            checked.append(label)

    assert sum(label.startswith("Pod/") for label in checked) >= 2 * len(list(policy_targets.glob("helm-*")))
    assert sum(label.startswith("Deployment/") for label in checked) >= 2 * len(
        list(policy_targets.glob("helm-*"))
    )


def _backend_pod() -> pss.Pod:
    documents = yaml.safe_load_all((DIST / "todo-backend.k8s.yaml").read_text(encoding="utf-8"))
    (deployment,) = [obj for obj in documents if obj["kind"] == "Deployment"]
    return copy.deepcopy(deployment["spec"]["template"])


def _container(pod: pss.Pod) -> dict[str, Any]:
    return pod["spec"]["containers"][0]


def _set(path: str, value: Any) -> Callable[[pss.Pod], None]:
    def mutate(pod: pss.Pod) -> None:
        *parents, leaf = path.split(".")
        node: Any = pod
        for key in parents:
            node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
        node[leaf] = value

    return mutate


def _delete(path: str) -> Callable[[pss.Pod], None]:
    def mutate(pod: pss.Pod) -> None:
        *parents, leaf = path.split(".")
        node: Any = pod
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        del node[leaf]

    return mutate


def _add_volume(source: dict[str, Any]) -> Callable[[pss.Pod], None]:
    return lambda pod: pod["spec"]["volumes"].append({"name": "extra", **source})


C = "spec.containers.0.securityContext"
BAD_PODS = {
    "host-process": (_set(f"{C}.windowsOptions", {"hostProcess": True}), "HostProcess"),
    "host-network": (_set("spec.hostNetwork", True), "Host Namespaces"),
    "host-pid": (_set("spec.hostPID", True), "Host Namespaces"),
    "host-ipc": (_set("spec.hostIPC", True), "Host Namespaces"),
    "privileged": (_set(f"{C}.privileged", True), "Privileged Containers"),
    "sys-admin-capability": (_set(f"{C}.capabilities.add", ["SYS_ADMIN"]), "Capabilities (baseline)"),
    "chown-capability": (_set(f"{C}.capabilities.add", ["CHOWN"]), "Capabilities (restricted)"),
    "capabilities-not-dropped": (_set(f"{C}.capabilities.drop", ["NET_RAW"]), "Capabilities (restricted)"),
    "host-path-volume": (_add_volume({"hostPath": {"path": "/var/run"}}), "HostPath Volumes"),
    "nfs-volume": (_add_volume({"nfs": {"server": "nfs", "path": "/"}}), "Volume Types"),
    "host-port": (_set("spec.containers.0.ports.0.hostPort", 8000), "Host Ports"),
    "apparmor-unconfined": (
        _set(
            "metadata.annotations",
            {"container.apparmor.security.beta.kubernetes.io/todo-backend": "unconfined"},
        ),
        "AppArmor",
    ),
    "apparmor-profile-unconfined": (_set(f"{C}.appArmorProfile", {"type": "Unconfined"}), "AppArmor"),
    "selinux-type": (_set(f"{C}.seLinuxOptions", {"type": "spc_t"}), "SELinux"),
    "selinux-user": (_set("spec.securityContext.seLinuxOptions", {"user": "root"}), "SELinux"),
    "unmasked-proc": (_set(f"{C}.procMount", "Unmasked"), "/proc Mount Type"),
    "seccomp-unconfined": (_set(f"{C}.seccompProfile", {"type": "Unconfined"}), "Seccomp (baseline)"),
    "seccomp-unset": (_delete("spec.securityContext.seccompProfile"), "Seccomp (restricted)"),
    "unsafe-sysctl": (
        _set("spec.securityContext.sysctls", [{"name": "kernel.msgmax", "value": "1"}]),
        "Sysctls",
    ),
    "privilege-escalation-allowed": (_set(f"{C}.allowPrivilegeEscalation", True), "Privilege Escalation"),
    "privilege-escalation-unset": (_delete(f"{C}.allowPrivilegeEscalation"), "Privilege Escalation"),
    "may-run-as-root": (_set(f"{C}.runAsNonRoot", False), "Running as Non-root"),
    "root-uid": (_set(f"{C}.runAsUser", 0), "Running as Non-root user"),
    "root-group": (_set("spec.securityContext.runAsGroup", 0), "Non-root groups"),
    "root-fs-group": (_set("spec.securityContext.fsGroup", 0), "Non-root groups"),
}


@pytest.mark.parametrize("case", sorted(BAD_PODS))
def test_the_checker_catches_a_pod_that_breaks_a_control(case: str) -> None:
    mutate, control = BAD_PODS[case]
    pod = _backend_pod()
    assert pss.violations(pod) == []

    mutate(pod)

    found = pss.violations(pod)
    assert any(problem.startswith(f"{control}: ") for problem in found), found


def test_every_control_of_the_profile_has_a_bad_pod_that_breaks_it() -> None:
    assert {control for _, control in BAD_PODS.values()} == set(pss.RESTRICTED)


def test_running_as_non_root_may_be_set_on_the_pod_for_every_container() -> None:
    pod = _backend_pod()
    del _container(pod)["securityContext"]["runAsNonRoot"]

    assert pss.violations(pod) == []

    del pod["spec"]["securityContext"]["runAsNonRoot"]
    assert any(problem.startswith("Running as Non-root: ") for problem in pss.violations(pod))


def test_pod_templates_are_found_in_every_kind_that_creates_pods() -> None:
    pod = _backend_pod()
    objects = [
        {"kind": "Pod", "metadata": {"name": "p"}, "spec": pod["spec"]},
        {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": pod}},
        {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": pod}}}},
        {"kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": []}},
    ]

    assert [label for label, _ in pss.pod_templates(objects)] == ["Pod/p", "Deployment/d", "CronJob/c"]
