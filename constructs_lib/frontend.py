"""The Next.js frontend: ``todo-frontend`` on port 3000, standalone server."""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from constructs import Construct

from constructs_lib import _validation as check
from constructs_lib._signature import init_signature
from constructs_lib.network_policy import NetworkAccess, StackPeer
from constructs_lib.workload import (
    BACKEND_COMPONENT,
    BACKEND_NAME,
    FRONTEND_COMPONENT,
    FRONTEND_NAME,
    IngressPath,
    Probe,
    Resources,
    Workload,
    WorkloadProps,
)


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

    name: str = FRONTEND_NAME
    image: str = "todo-frontend"
    port: int = 3000
    resources: Resources = Resources(
        cpu_request="150m", memory_request="128Mi", cpu_limit="300m", memory_limit="256Mi"
    )
    liveness: Probe = Probe(period_seconds=30)
    readiness: Probe = Probe(period_seconds=10)
    ingress_paths: tuple[IngressPath, ...] = (IngressPath(path="/"),)

    OWNED_CONFIG: ClassVar[Mapping[str, str]] = types.MappingProxyType(
        {
            "HOSTNAME": "Next.js listens on it: 0.0.0.0, the pod's every address, or the pod is never ready",
            "NODE_ENV": "the image runs Next.js's production build",
        }
    )

    # Next.js writes its image and fetch caches under .next/cache; Node uses /tmp.
    WRITABLE_PATHS: ClassVar[Mapping[str, str]] = types.MappingProxyType(
        {"/tmp": "64Mi", "/app/.next/cache": "256Mi"}
    )

    def validate(self) -> None:
        super().validate()
        if self.network_policy is not None and self.network_policy.egress_to:
            raise check.fail(
                self._owner,
                "network_policy.egress_to",
                self.network_policy.egress_to,
                "must be empty: the frontend connects to nothing outside the stack but DNS",
            )

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


@init_signature
class TodoFrontend(Workload):
    """The frontend's ConfigMap, Deployment and Service.

    Attributes (beyond :class:`~constructs_lib.workload.Workload`'s):
        backend_name: the name of the backend its NetworkPolicy lets it call.

    Example:
        ``frontend = TodoFrontend(chart, "frontend")`` then ``frontend.service_name``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: TodoFrontendProps | None = None,
        backend_name: str = BACKEND_NAME,
    ) -> None:
        """Build the objects.

        Args:
            props: the frontend's props; ``None``: the spec's frontend.
            backend_name: the ``name`` of the stack's :class:`TodoBackend`, which the
                server side calls (the browser's calls arrive through the ingress
                controller). With ``props.network_policy``, only its pods may be
                called (by their selector labels), not those of another stack's
                backend in the namespace. Default: the spec's ``"todo-backend"``;
                ``add_todo_charts`` passes its backend's name.
        """
        props = props if props is not None else TodoFrontendProps()
        owner = type(self).__name__
        check.check_instance(owner, "props", props, TodoFrontendProps)
        check.check_dns_label(owner, "backend_name", backend_name)
        super().__init__(
            scope,
            id,
            props=props,
            component=FRONTEND_COMPONENT,
            network_access=NetworkAccess(servers=(StackPeer(backend_name, BACKEND_COMPONENT),)),
        )
        self.backend_name = backend_name
