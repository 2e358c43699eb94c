"""Argo CD and External Secrets Operator, for real, out of cluster, against the control plane.

Argo CD's repo-server, application controller and ApplicationSet controller
are one binary (the name it runs under picks the part) and keep their state
in Redis (Debian's ``redis-server``). ``ARGOCD_FAKE_IN_CLUSTER=true`` makes
the destination ``https://kubernetes.default.svc`` the control plane of the
kubeconfig, as Argo CD's own local development setup does. External Secrets
Operator runs as its controller only: the CRDs are installed without the
conversion webhook, and only ``external-secrets.io/v1`` is used.

Binaries: built from ``tools/argocd`` and ``tools/external-secrets``, where
their versions are pinned, once per machine, or taken from the folders
``$ARGOCD_ASSETS`` and ``$EXTERNAL_SECRETS_ASSETS`` name (scripts/go_tools.py).

Usage: ``gitops.py up [CONTROL_PLANE_DIR] | down [CONTROL_PLANE_DIR]``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from scripts import control_plane  # noqa: E402
from scripts.control_plane import ControlPlane, MissingBinary  # noqa: E402
from scripts.go_tools import ARGOCD, EXTERNAL_SECRETS  # noqa: E402

REDIS_HINT = "apt-get install redis-server (`make system-packages`)"
NAMESPACE = "argocd"
HELM = REPO_ROOT / ".tools" / "bin" / "helm"
# How often Argo CD compares each Application with git (Argo CD's default is 120 s).
RECONCILIATION = "5s"


@dataclass(frozen=True)
class GitOps:
    """Argo CD and ESO running against one control plane."""

    state_dir: Path
    plane: ControlPlane

    def kubectl(self, *args: str, stdin: str | None = None) -> str:
        return self.plane.run_kubectl(*args, stdin=stdin)

    def log(self, name: str) -> str:
        return (self.state_dir / f"{name}.log").read_text(errors="replace")


# The parts of Argo CD that run here, each the one binary under its name (ARGOCD_BINARY_NAME);
# processes in start order, stopped in reverse.
ARGOCD_PARTS = ("argocd-repo-server", "argocd-application-controller", "argocd-applicationset-controller")
PROCESSES = ("redis", *ARGOCD_PARTS, "external-secrets")


# Where up() keeps its state, in the control plane's state dir unless told otherwise.
STATE = "gitops"


def up(plane: ControlPlane, state_dir: Path | None = None) -> GitOps:
    """Install the CRDs and settings, then start Redis, Argo CD and ESO; stop any this state dir ran."""
    state_dir = state_dir or plane.state_dir / STATE
    argocd, eso = ARGOCD.assets_dir(), EXTERNAL_SECRETS.assets_dir()
    redis = shutil.which("redis-server")
    if redis is None:
        raise MissingBinary(f"redis-server is not on PATH; run: {REDIS_HINT}")
    if shutil.which("git") is None:
        raise MissingBinary("git is not on PATH; run: apt-get install git")
    # The repo-server renders Helm Applications with the Helm 3 the repository pins, as Argo CD's image
    # ships Helm 3.
    if not HELM.is_file():
        raise MissingBinary(f"{HELM} missing; run: make setup")
    down(state_dir)
    shutil.rmtree(state_dir, ignore_errors=True)
    bin_dir = state_dir / "bin"
    for folder in ("pids", "bin", "tls", "ssh", "gnupg"):
        (state_dir / folder).mkdir(parents=True)
    # Each process runs from a path in the state dir, so stopping it finds only what this dir started.
    for link, target in (("redis-server", Path(redis)), ("argocd", argocd / "argocd"), ("helm", HELM)):
        (bin_dir / link).symlink_to(target)
    (bin_dir / "external-secrets").symlink_to(eso / "external-secrets")
    for wrapper in (argocd / "bin").iterdir():
        shutil.copy(wrapper, bin_dir / wrapper.name)
        (bin_dir / wrapper.name).chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP)
    running = GitOps(state_dir, plane)
    try:
        _install(running, [*(argocd / "crds").iterdir(), *(eso / "crds").iterdir()])
        _start_all(running, bin_dir)
    except BaseException:
        down(state_dir)
        raise
    return running


def _install(gitops: GitOps, crds: list[Path]) -> None:
    for crd in sorted(crds):
        gitops.kubectl("apply", "--server-side", "-f", str(crd))
    gitops.kubectl("wait", "--for=condition=Established", "--timeout=60s", *(f"-f={c}" for c in sorted(crds)))
    part_of = {"app.kubernetes.io/part-of": "argocd"}
    settings = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}},
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "argocd-cm", "namespace": NAMESPACE, "labels": part_of},
            "data": {"timeout.reconciliation": RECONCILIATION, "timeout.reconciliation.jitter": "0s"},
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "argocd-secret", "namespace": NAMESPACE, "labels": part_of},
            "stringData": {"server.secretkey": secrets.token_urlsafe(32)},
        },
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "AppProject",
            "metadata": {"name": "default", "namespace": NAMESPACE},
            "spec": {
                "sourceRepos": ["*"],
                "destinations": [{"server": "*", "namespace": "*"}],
                "clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
            },
        },
    ]
    for item in settings:
        gitops.kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps(item))


def _start_all(gitops: GitOps, bin_dir: Path) -> None:
    state_dir, plane = gitops.state_dir, gitops.plane
    (
        redis,
        repo,
        repo_metrics,
        controller_metrics,
        appset_metrics,
        appset_probe,
        appset_webhook,
        eso_metrics,
    ) = control_plane.free_ports(8)
    redis_address, repo_address = f"127.0.0.1:{redis}", f"127.0.0.1:{repo}"
    control_plane._start(
        state_dir,
        "redis",
        [
            str(bin_dir / "redis-server"),
            "--bind",
            "127.0.0.1",
            "--port",
            str(redis),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(state_dir),
            "--set-proc-title",
            "no",
        ],
    )
    control_plane.wait_for_port(state_dir, "redis", redis)
    base = {
        **plane.env(),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "ARGOCD_FAKE_IN_CLUSTER": "true",
        "ARGOCD_GPG_ENABLED": "false",
        "ARGOCD_TLS_DATA_PATH": str(state_dir / "tls"),
        "ARGOCD_SSH_DATA_PATH": str(state_dir / "ssh"),
        "ARGOCD_GNUPGHOME": str(state_dir / "gnupg"),
        # What Argo CD's install manifests set from argocd-cm's timeout.reconciliation: how often
        # the controller compares with git, and how long the repo-server caches a branch's commit.
        "ARGOCD_RECONCILIATION_TIMEOUT": RECONCILIATION,
        "ARGOCD_RECONCILIATION_JITTER": "0s",
        # Each resource's health in the Application's status (argocd-cmd-params-cm's
        # controller.resource.health.persist), where kubectl and the tests can read it.
        "ARGOCD_APPLICATION_CONTROLLER_PERSIST_RESOURCE_HEALTH": "true",
    }
    common = ["--loglevel", "info", "--redis", redis_address]
    parts = {
        "argocd-repo-server": (
            [
                "--address",
                "127.0.0.1",
                "--port",
                str(repo),
                "--metrics-address",
                "127.0.0.1",
                "--metrics-port",
                str(repo_metrics),
                "--disable-tls",
                "--client-ca-path=",
            ],
            repo,
        ),
        "argocd-application-controller": (
            [
                "--namespace",
                NAMESPACE,
                "--repo-server",
                repo_address,
                "--repo-server-plaintext",
                "--metrics-port",
                str(controller_metrics),
            ],
            controller_metrics,
        ),
        "argocd-applicationset-controller": (
            [
                "--namespace",
                NAMESPACE,
                "--argocd-repo-server",
                repo_address,
                "--repo-server-plaintext",
                "--metrics-addr",
                f"127.0.0.1:{appset_metrics}",
                "--probe-addr",
                f"127.0.0.1:{appset_probe}",
                "--webhook-addr",
                f"127.0.0.1:{appset_webhook}",
            ],
            appset_probe,
        ),
    }
    for name, (flags, port) in parts.items():
        # The ApplicationSet controller takes no --redis.
        extra = common if name != "argocd-applicationset-controller" else ["--loglevel", "info"]
        control_plane._start(
            state_dir,
            name,
            [str(bin_dir / "argocd"), *extra, *flags],
            env={**base, "ARGOCD_BINARY_NAME": name},
        )
        control_plane.wait_for_port(state_dir, name, port)
    control_plane._start(
        state_dir,
        "external-secrets",
        [str(bin_dir / "external-secrets"), f"--metrics-addr=127.0.0.1:{eso_metrics}", "--loglevel=info"],
        env=plane.env(),
    )
    control_plane.wait_for_port(state_dir, "external-secrets", eso_metrics)


def down(state_dir: Path) -> None:
    """Stop what :func:`up` started in ``state_dir``, Redis last."""
    for name in reversed(PROCESSES):
        control_plane.stop(state_dir, name, grace_seconds=10)


def _up(plane: ControlPlane) -> str:
    gitops = up(plane)
    return (
        f"Argo CD and External Secrets Operator run against the control plane (logs: {gitops.state_dir}).\n"
        f"export KUBECONFIG={plane.kubeconfig}\n"
        f"kubectl get applications -n {NAMESPACE} -w"
    )


def main(argv: list[str]) -> int:
    return control_plane.component_main(argv, __doc__ or "", _up, lambda plane_dir: down(plane_dir / STATE))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
