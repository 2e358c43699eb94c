"""Staging and production from the same constructs: ``python environments/app.py`` (run by ``make synth``).

Each environment is one :class:`Environment` value; everything it sets
differs from the spec's Minikube defaults in ``dist/``, which stays as it is.
The synth writes ``environments/dist/<name>/`` for each, and the Argo CD
ApplicationSet ``environments/applicationset.yaml`` whose list generator
names them, so a new environment here becomes an Application with no hand
edit. The ApplicationSet takes its repository and revision from
``argocd/dist/todo.yaml``, which ``make argocd-repo`` sets (then ``make synth``).
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import cdk8s
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from constructs_lib import (  # noqa: E402
    SECRET_KEYS,
    Autoscaling,
    ExternalSecret,
    IngressTls,
    NetworkPolicy,
    StoreKind,
    TodoApp,
    TodoBackendProps,
    TodoFrontendProps,
    TodoHttpRouteProps,
    TodoIngressProps,
    WorkloadSettings,
    ZeroDowntimeRollout,
)
from constructs_lib.publish import ForeignFiles, check_outdir, stage, swap_in  # noqa: E402

DIST = Path(__file__).resolve().parent / "dist"
APPLICATION_SET = Path(__file__).resolve().parent / "applicationset.yaml"
SOURCE_APPLICATION = ROOT / "argocd" / "dist" / "todo.yaml"
REGISTRY = "registry.example.com/todo"


@dataclass(frozen=True, kw_only=True)
class Environment:
    """What one environment sets; the rest is the same everywhere.

    Attributes:
        name: the environment, its folder and the suffix of its namespace, e.g. ``"staging"``.
        host: the public host name, e.g. ``"todo.staging.example.com"``.
        image_tag: the release both images run, e.g. ``"1.4.0"``.
        min_replicas: the autoscalers' floor per workload.
        max_replicas: the autoscalers' ceiling per workload.
    """

    name: str
    host: str
    image_tag: str
    min_replicas: int
    max_replicas: int

    @property
    def namespace(self) -> str:
        return f"todo-{self.name}"

    def build(self, app: cdk8s.App) -> None:
        # Registry images are pulled IfNotPresent; the backend's CORS origin is the routes' https://<host>.
        workload: WorkloadSettings = {
            "image_tag": self.image_tag,
            "autoscaling": Autoscaling(min_replicas=self.min_replicas, max_replicas=self.max_replicas),
            "pod_disruption_budget": True,
            "network_policy": NetworkPolicy(),
            "spread_pods": True,
            "zero_downtime_rollout": ZeroDowntimeRollout(),
        }
        secrets = ExternalSecret(
            store_name="todo-secrets",
            store_kind=StoreKind.CLUSTER_SECRET_STORE,
            remote_keys={key: f"todo/{self.name}/{key.lower().replace('_', '-')}" for key in SECRET_KEYS},
        )
        TodoApp(
            app,
            "todo",
            namespace=self.namespace,
            labels={"environment": self.name},
            backend=TodoBackendProps(
                image=f"{REGISTRY}/todo-backend",
                secret_source=secrets,
                **workload,
            ),
            frontend=TodoFrontendProps(image=f"{REGISTRY}/todo-frontend", **workload),
            ingress=TodoIngressProps(
                host=self.host, tls=IngressTls(secret_name="todo-tls", cluster_issuer="letsencrypt")
            ),
            http_route=TodoHttpRouteProps(
                gateway_name="public", gateway_namespace="gateways", host=self.host
            ),
        )


ENVIRONMENTS = (
    Environment(
        name="staging", host="todo.staging.example.com", image_tag="1.2.3", min_replicas=2, max_replicas=3
    ),
    Environment(
        name="production", host="todo.example.com", image_tag="1.2.3", min_replicas=3, max_replicas=10
    ),
)


def _source() -> tuple[str, str]:
    """The repository and revision of the dist/ Application, which `make argocd-repo` sets."""
    application = yaml.safe_load(SOURCE_APPLICATION.read_text(encoding="utf-8"))
    return application["spec"]["source"]["repoURL"], application["spec"]["source"]["targetRevision"]


def application_set(
    repo_url: str, revision: str, environments: tuple[Environment, ...] = ENVIRONMENTS
) -> str:
    """The ApplicationSet: one Application per environment, each syncing its folder into its namespace."""
    elements = [{"env": env.name, "namespace": env.namespace} for env in environments]
    document = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "todo-environments", "namespace": "argocd"},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"list": {"elements": elements}}],
            "template": {
                "metadata": {
                    "name": "todo-{{.env}}",
                    "labels": {"app.kubernetes.io/part-of": "todo"},
                    # Diffed by the API server (a dry-run apply), as it applies: the fields it
                    # defaults in the ExternalSecret and HTTPRoutes are no drift.
                    "annotations": {"argocd.argoproj.io/compare-options": "ServerSideDiff=true"},
                },
                "spec": {
                    "project": "default",
                    "source": {
                        "repoURL": repo_url,
                        "targetRevision": revision,
                        "path": "environments/dist/{{.env}}",
                        "directory": {"recurse": False, "include": "*.k8s.yaml"},
                    },
                    "destination": {
                        "server": "https://kubernetes.default.svc",
                        "namespace": "{{.namespace}}",
                    },
                    "syncPolicy": {
                        "automated": {"prune": True, "selfHeal": True},
                        "syncOptions": [
                            "ServerSideApply=true",
                            "CreateNamespace=true",
                            "PruneLast=true",
                            "FailOnSharedResource=true",
                        ],
                        "managedNamespaceMetadata": {
                            "labels": {"pod-security.kubernetes.io/enforce": "restricted"}
                        },
                    },
                },
            },
        },
    }
    header = (
        "# Generated by environments/app.py (make synth): one Application per environment.\n"
        "# Its repoURL and targetRevision follow argocd/dist/todo.yaml (make argocd-repo, then make synth).\n"
    )
    return header + yaml.safe_dump(document, sort_keys=False)


def check_environments(environments: tuple[Environment, ...]) -> None:
    """Refuse a list the ApplicationSet cannot hold: none, a bad name, or one name twice."""
    if not environments:
        sys.exit("ENVIRONMENTS: got none; list at least one (remove the ApplicationSet to remove them all)")
    seen: dict[str, int] = {}
    for index, env in enumerate(environments):
        # The namespace todo-<name> is a DNS label: 63 characters at most.
        if not re.fullmatch(r"[a-z]([a-z0-9-]{0,56}[a-z0-9])?", env.name):
            sys.exit(
                f"ENVIRONMENTS[{index}].name: got {env.name!r}; must be a lowercase DNS label of at most "
                "58 characters (it names a folder, an Application and the namespace todo-<name>)"
            )
        if env.name in seen:
            sys.exit(
                f"ENVIRONMENTS[{index}].name: got {env.name!r}; ENVIRONMENTS[{seen[env.name]}] has it too"
            )
        seen[env.name] = index


def _stale_folders(outdir: Path, names: set[str]) -> list[Path]:
    """Folders of environments no longer listed, which go with their Applications.

    Only what a synth wrote is removed: a folder of manifests. Hidden files (a
    desktop's ``.DS_Store``) are left alone; anything else is refused before
    anything changes.
    """
    if not outdir.exists():
        return []
    stale = []
    for path in sorted(outdir.iterdir()):
        if path.name in names or path.name.startswith("."):
            continue
        try:
            check_outdir(path if path.is_dir() else outdir / path.name)
        except ForeignFiles as error:
            sys.exit(f"{outdir}: {path.name} is not an environment's folder of manifests ({error})")
        stale.append(path)
    return stale


def main(
    outdir: Path = DIST,
    application_set_file: Path = APPLICATION_SET,
    environments: tuple[Environment, ...] = ENVIRONMENTS,
) -> None:
    """Write every environment's folder and the ApplicationSet, or, on any error, none of them."""
    check_environments(environments)
    names = {env.name for env in environments}
    stale = _stale_folders(outdir, names)
    text = application_set(*_source(), environments)
    staged: dict[Path, Path] = {}
    try:
        for env in environments:
            staged[outdir / env.name] = stage(outdir / env.name, env.build)
    except BaseException as error:
        for staging in staged.values():
            shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, ForeignFiles):
            sys.exit(str(error))
        raise
    # Everything is built: now the folders and the ApplicationSet change together.
    for target, staging in staged.items():
        swap_in(staging, target)
    for path in stale:
        shutil.rmtree(path)
    application_set_file.parent.mkdir(parents=True, exist_ok=True)
    partial = application_set_file.with_name(f".{application_set_file.name}.new")
    partial.write_text(text, encoding="utf-8")
    partial.replace(application_set_file)


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:3]))
