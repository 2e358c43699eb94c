"""The Next.js frontend: ``todo-frontend`` on port 3000, standalone server."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar

from constructs import Construct

from constructs_lib import _validation as check
from constructs_lib.network_policy import NetworkAccess
from constructs_lib.workload import IngressPath, Probe, Resources, Workload, WorkloadProps


@dataclass(frozen=True, kw_only=True)
class TodoFrontendProps(WorkloadProps):
    """Props of :class:`TodoFrontend`; every default is the spec's value.

    The ConfigMap carries the standalone server's runtime settings: ``PORT``
    (from ``port``), ``HOSTNAME``, ``NODE_ENV`` and ``NEXT_TELEMETRY_DISABLED``,
    plus ``extra_config``. ``NEXT_PUBLIC_API_URL`` is not among them: Next.js
    bakes it into the bundle at image build time.

    Example:
        ``TodoFrontendProps(replicas=2, extra_config={"NODE_OPTIONS": "--max-old-space-size=192"})``
    """

    name: str = "todo-frontend"
    image: str = "todo-frontend"
    port: int = 3000
    resources: Resources = Resources(
        cpu_request="150m", memory_request="128Mi", cpu_limit="300m", memory_limit="256Mi"
    )
    liveness: Probe = Probe(period_seconds=30)
    readiness: Probe = Probe(period_seconds=10)
    ingress_paths: tuple[IngressPath, ...] = (IngressPath(path="/"),)

    def reserved_config(self) -> Mapping[str, str]:
        return {"PORT": "port"}

    def config_data(self) -> dict[str, str]:
        return {
            "HOSTNAME": "0.0.0.0",
            "NEXT_TELEMETRY_DISABLED": "1",
            "NODE_ENV": "production",
            **self.extra_config,
            "PORT": str(self.port),
        }


class TodoFrontend(Workload):
    """The frontend's ConfigMap, Deployment and Service.

    Example:
        ``frontend = TodoFrontend(chart, "frontend")`` then ``frontend.service_name``.
    """

    # Next.js writes its image and fetch caches under .next/cache; Node uses /tmp.
    WRITABLE_PATHS: ClassVar[Mapping[str, str]] = MappingProxyType(
        {"/tmp": "64Mi", "/app/.next/cache": "256Mi"}
    )
    # Its server side calls the backend; the browser's calls arrive through the ingress controller.
    NETWORK_ACCESS: ClassVar[NetworkAccess] = NetworkAccess(servers=("backend",))

    def __init__(self, scope: Construct, id: str, *, props: TodoFrontendProps | None = None) -> None:
        props = props if props is not None else TodoFrontendProps()
        check.check_instance(type(self).__name__, "props", props, TodoFrontendProps)
        super().__init__(
            scope,
            id,
            props=props,
            component="frontend",
            writable_paths=self.WRITABLE_PATHS,
            network_access=self.NETWORK_ACCESS,
        )
