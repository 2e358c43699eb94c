"""The Pod Security Standards, "baseline" and "restricted" profiles, as a checker of pod specs.

Written from https://kubernetes.io/docs/concepts/security/pod-security-standards/
(the profile tables, current for Kubernetes 1.27 and later): each control is
one function named after it, returning the fields that break it. "restricted"
includes every "baseline" control. Absent fields are judged as the document
says ("Undefined/nil" is allowed where listed), so a pod passes only on what
it actually writes. The "Non-root groups" control, optional in earlier
versions of the document, is checked too: this project's pods set their
groups explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

Pod = dict[str, Any]  # {"metadata": {...}, "spec": {...}}

_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")

# Baseline "Capabilities": what may be added beyond the runtime's defaults.
BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
# Restricted "Capabilities": drop ALL; add at most NET_BIND_SERVICE.
RESTRICTED_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})
# Baseline "Sysctls": the safe set.
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)
# Baseline "SELinux": allowed types; user and role must be unset.
SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})
# Restricted "Volume Types": the only volume sources allowed.
RESTRICTED_VOLUME_SOURCES = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)
SECCOMP_TYPES = frozenset({"RuntimeDefault", "Localhost"})
APPARMOR_TYPES = frozenset({"RuntimeDefault", "Localhost"})
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def containers(pod: Pod) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(path, container)`` for every container, init container and ephemeral container."""
    spec = pod.get("spec", {})
    for kind in _CONTAINER_LISTS:
        for index, container in enumerate(spec.get(kind) or []):
            yield f"spec.{kind}[{index}]", container


def _context(container: dict[str, Any]) -> dict[str, Any]:
    return container.get("securityContext") or {}


def _pod_context(pod: Pod) -> dict[str, Any]:
    return pod.get("spec", {}).get("securityContext") or {}


# --- baseline ------------------------------------------------------------------


def host_process(pod: Pod) -> Iterator[str]:
    if (_pod_context(pod).get("windowsOptions") or {}).get("hostProcess") not in (None, False):
        yield "spec.securityContext.windowsOptions.hostProcess must be unset or false"
    for path, container in containers(pod):
        if (_context(container).get("windowsOptions") or {}).get("hostProcess") not in (None, False):
            yield f"{path}.securityContext.windowsOptions.hostProcess must be unset or false"


def host_namespaces(pod: Pod) -> Iterator[str]:
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get("spec", {}).get(field) not in (None, False):
            yield f"spec.{field} must be unset or false"


def privileged_containers(pod: Pod) -> Iterator[str]:
    for path, container in containers(pod):
        if _context(container).get("privileged") not in (None, False):
            yield f"{path}.securityContext.privileged must be unset or false"


def baseline_capabilities(pod: Pod) -> Iterator[str]:
    for path, container in containers(pod):
        added = set((_context(container).get("capabilities") or {}).get("add") or [])
        if added - BASELINE_CAPABILITIES:
            yield f"{path}.securityContext.capabilities.add has {sorted(added - BASELINE_CAPABILITIES)}"


def host_path_volumes(pod: Pod) -> Iterator[str]:
    for index, volume in enumerate(pod.get("spec", {}).get("volumes") or []):
        if "hostPath" in volume:
            yield f"spec.volumes[{index}].hostPath must be unset"


def host_ports(pod: Pod) -> Iterator[str]:
    for path, container in containers(pod):
        for index, port in enumerate(container.get("ports") or []):
            if port.get("hostPort") not in (None, 0):
                yield f"{path}.ports[{index}].hostPort must be unset or 0"


def apparmor(pod: Pod) -> Iterator[str]:
    for key, value in (pod.get("metadata", {}).get("annotations") or {}).items():
        if (
            key.startswith(APPARMOR_ANNOTATION)
            and value != "runtime/default"
            and not value.startswith("localhost/")
        ):
            yield f"metadata.annotations[{key}] must be runtime/default or localhost/*"
    contexts = [("spec.securityContext", _pod_context(pod))]
    contexts += [(f"{path}.securityContext", _context(container)) for path, container in containers(pod)]
    for path, context in contexts:
        profile = context.get("appArmorProfile")
        if profile is not None and profile.get("type") not in APPARMOR_TYPES:
            yield f"{path}.appArmorProfile.type must be RuntimeDefault or Localhost"


def selinux(pod: Pod) -> Iterator[str]:
    contexts = [("spec.securityContext", _pod_context(pod))]
    contexts += [(f"{path}.securityContext", _context(container)) for path, container in containers(pod)]
    for path, context in contexts:
        options = context.get("seLinuxOptions") or {}
        if options.get("type", "") not in SELINUX_TYPES:
            yield f"{path}.seLinuxOptions.type {options['type']!r} is not allowed"
        for field in ("user", "role"):
            if options.get(field, "") != "":
                yield f"{path}.seLinuxOptions.{field} must be unset"


def proc_mount(pod: Pod) -> Iterator[str]:
    for path, container in containers(pod):
        if _context(container).get("procMount") not in (None, "Default"):
            yield f"{path}.securityContext.procMount must be unset or Default"


def baseline_seccomp(pod: Pod) -> Iterator[str]:
    contexts = [("spec.securityContext", _pod_context(pod))]
    contexts += [(f"{path}.securityContext", _context(container)) for path, container in containers(pod)]
    for path, context in contexts:
        if (context.get("seccompProfile") or {}).get("type") == "Unconfined":
            yield f"{path}.seccompProfile.type must not be Unconfined"


def sysctls(pod: Pod) -> Iterator[str]:
    for index, sysctl in enumerate(_pod_context(pod).get("sysctls") or []):
        if sysctl.get("name") not in SAFE_SYSCTLS:
            yield f"spec.securityContext.sysctls[{index}] {sysctl.get('name')!r} is not a safe sysctl"


# --- restricted ------------------------------------------------------------------


def volume_types(pod: Pod) -> Iterator[str]:
    for index, volume in enumerate(pod.get("spec", {}).get("volumes") or []):
        sources = set(volume) - {"name"}
        if sources - RESTRICTED_VOLUME_SOURCES:
            yield f"spec.volumes[{index}] uses {sorted(sources - RESTRICTED_VOLUME_SOURCES)}"


def privilege_escalation(pod: Pod) -> Iterator[str]:
    for path, container in containers(pod):
        if _context(container).get("allowPrivilegeEscalation") is not False:
            yield f"{path}.securityContext.allowPrivilegeEscalation must be false"


def running_as_non_root(pod: Pod) -> Iterator[str]:
    pod_level = _pod_context(pod).get("runAsNonRoot")
    if pod_level is False:
        yield "spec.securityContext.runAsNonRoot must be true"
    for path, container in containers(pod):
        value = _context(container).get("runAsNonRoot")
        if value is False or (value is None and pod_level is not True):
            yield f"{path}.securityContext.runAsNonRoot must be true (here or on the pod)"


def running_as_non_root_user(pod: Pod) -> Iterator[str]:
    if _pod_context(pod).get("runAsUser") == 0:
        yield "spec.securityContext.runAsUser must not be 0"
    for path, container in containers(pod):
        if _context(container).get("runAsUser") == 0:
            yield f"{path}.securityContext.runAsUser must not be 0"


def non_root_groups(pod: Pod) -> Iterator[str]:
    context = _pod_context(pod)
    if context.get("runAsGroup") in (None, 0):
        yield "spec.securityContext.runAsGroup must be set and non-zero"
    if context.get("fsGroup") == 0:
        yield "spec.securityContext.fsGroup must not be 0"
    if 0 in (context.get("supplementalGroups") or []):
        yield "spec.securityContext.supplementalGroups must not hold 0"
    for path, container in containers(pod):
        if _context(container).get("runAsGroup") == 0:
            yield f"{path}.securityContext.runAsGroup must not be 0"


def restricted_seccomp(pod: Pod) -> Iterator[str]:
    pod_type = (_pod_context(pod).get("seccompProfile") or {}).get("type")
    if pod_type is not None and pod_type not in SECCOMP_TYPES:
        yield "spec.securityContext.seccompProfile.type must be RuntimeDefault or Localhost"
    for path, container in containers(pod):
        container_type = (_context(container).get("seccompProfile") or {}).get("type")
        if container_type is not None and container_type not in SECCOMP_TYPES:
            yield f"{path}.securityContext.seccompProfile.type must be RuntimeDefault or Localhost"
        elif container_type is None and pod_type is None:
            yield f"{path}: seccompProfile must be RuntimeDefault or Localhost, here or on the pod"


def restricted_capabilities(pod: Pod) -> Iterator[str]:
    for path, container in containers(pod):
        capabilities = _context(container).get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            yield f"{path}.securityContext.capabilities.drop must include ALL"
        added = set(capabilities.get("add") or [])
        if added - RESTRICTED_CAPABILITIES:
            yield f"{path}.securityContext.capabilities.add may hold only NET_BIND_SERVICE, not {sorted(added)}"


Control = Callable[[Pod], Iterable[str]]

BASELINE: dict[str, Control] = {
    "HostProcess": host_process,
    "Host Namespaces": host_namespaces,
    "Privileged Containers": privileged_containers,
    "Capabilities (baseline)": baseline_capabilities,
    "HostPath Volumes": host_path_volumes,
    "Host Ports": host_ports,
    "AppArmor": apparmor,
    "SELinux": selinux,
    "/proc Mount Type": proc_mount,
    "Seccomp (baseline)": baseline_seccomp,
    "Sysctls": sysctls,
}
RESTRICTED: dict[str, Control] = {
    **BASELINE,
    "Volume Types": volume_types,
    "Privilege Escalation": privilege_escalation,
    "Running as Non-root": running_as_non_root,
    "Running as Non-root user": running_as_non_root_user,
    "Non-root groups": non_root_groups,
    "Seccomp (restricted)": restricted_seccomp,
    "Capabilities (restricted)": restricted_capabilities,
}


def violations(pod: Pod, profile: dict[str, Control] = RESTRICTED) -> list[str]:
    """``"<control>: <field> ..."`` for every rule of ``profile`` the pod breaks; empty when it complies."""
    return [f"{name}: {problem}" for name, control in profile.items() for problem in control(pod)]


def pod_templates(objects: Iterable[dict[str, Any]]) -> Iterator[tuple[str, Pod]]:
    """``("Kind/name", pod)`` for every pod an object creates: Pods themselves and workload templates."""
    for obj in objects:
        label = f"{obj['kind']}/{obj['metadata']['name']}"
        if obj["kind"] == "Pod":
            yield label, obj
        elif obj["kind"] == "CronJob":
            yield label, obj["spec"]["jobTemplate"]["spec"]["template"]
        elif "template" in obj.get("spec", {}):
            yield label, obj["spec"]["template"]
