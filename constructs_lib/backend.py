"""The FastAPI backend: ``todo-backend`` on port 8000, secrets from ``todo-secrets``."""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from constructs import Construct

from constructs_lib import _backend_image
from constructs_lib import _validation as check
from constructs_lib._signature import init_signature
from constructs_lib.external_secret import ExternalSecret, add_external_secret
from constructs_lib.network_policy import NetworkAccess, StackPeer
from constructs_lib.routing import DEFAULT_HOST, origin
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
    recommended_labels,
)

if TYPE_CHECKING:
    from constructs_lib._imports.external_secrets.io.external_secrets import (
        ExternalSecret as ExternalSecretObject,
    )

# The keys of the external Secret, each read into the env variable of the same name.
SECRET_KEYS = ("DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY")
JWT_ALGORITHMS = ("HS256", "HS384", "HS512")
# gunicorn's graceful_timeout, as the image's backend/gunicorn.conf.py sets it.
GUNICORN_GRACEFUL_TIMEOUT = _backend_image.GRACEFUL_TIMEOUT
# ingress-nginx's largest request body (its nginx's client_max_body_size).
PROXY_BODY_SIZE_ANNOTATION = "nginx.ingress.kubernetes.io/proxy-body-size"
# The image's CMD binds gunicorn to this port; no other port would be answered.
IMAGE_PORT = 8000
# The backend refuses longer-lived tokens at start-up (backend/app/settings.py).
JWT_EXPIRE_DAYS_MAX = 365
POSTGRESQL_PORT = 5432
HTTPS_PORT = 443


@dataclass(frozen=True, kw_only=True)
class TodoBackendProps(WorkloadProps):
    """Props of :class:`TodoBackend`; every default is the spec's value.

    Attributes (beyond :class:`~constructs_lib.workload.WorkloadProps`):
        secret_name: the Secret holding ``DATABASE_URL``,
            ``BETTER_AUTH_SECRET`` and ``OPENAI_API_KEY``. Without
            ``secret_source`` users create it with ``kubectl create secret generic``.
        jwt_algorithm: ``JWT_ALGORITHM``, the HMAC algorithm signing tokens.
        jwt_expire_days: ``JWT_EXPIRE_DAYS``, how long a token is valid.
        cors_origins: ``CORS_ORIGINS``, the browser origins allowed to call the
            API (written comma-separated), e.g. ``("https://todo.example.com",)``;
            ``None`` (default): the origins of the stack's routes, which
            :class:`~constructs_lib.stack.TodoApp` derives from its Ingress host
            (``https://`` with TLS) and HTTPRoute host (``https://``); a
            ``TodoBackend`` on its own gets ``http://todo.local``. A frontend
            calling the API on its own origin needs none.
        secret_source: ``ExternalSecret(store_name=..., remote_keys=...)`` to have
            the External Secrets Operator create ``secret_name`` from a secret
            store (an ExternalSecret synced before the Deployment); ``None``
            (default): the Secret is created by hand.

    Example:
        ``TodoBackendProps(replicas=2, image_tag="1.0.3", image_pull_policy="IfNotPresent")``
    """

    name: str = BACKEND_NAME
    image: str = "todo-backend"
    port: int = IMAGE_PORT
    resources: Resources = Resources(
        cpu_request="250m", memory_request="256Mi", cpu_limit="500m", memory_limit="512Mi"
    )
    liveness: Probe = Probe(http_path="/health", period_seconds=30, timeout_seconds=5)
    readiness: Probe = Probe(http_path="/health", period_seconds=10, timeout_seconds=5)
    # The backend serves its routes under /api, so the prefix reaches it unchanged.
    ingress_paths: tuple[IngressPath, ...] = (
        IngressPath(path="/api"),
        IngressPath(path="/health", exact=True),
    )
    secret_name: str = "todo-secrets"
    jwt_algorithm: str = "HS256"
    jwt_expire_days: int = 7
    cors_origins: tuple[str, ...] | None = None
    secret_source: ExternalSecret | None = None

    SHUTDOWN_SECONDS: ClassVar[int] = GUNICORN_GRACEFUL_TIMEOUT
    # ingress-nginx buffers bodies up to 1m by default; the app refuses more than
    # its own limit, so the controller may as well refuse them first.
    INGRESS_NGINX_ANNOTATIONS: ClassVar[Mapping[str, str]] = types.MappingProxyType(
        {PROXY_BODY_SIZE_ANNOTATION: f"{_backend_image.MAX_BODY_BYTES // 1024}k"}
    )
    OWNED_CONFIG: ClassVar[Mapping[str, str]] = types.MappingProxyType(
        {
            "GUNICORN_CMD_ARGS": "gunicorn runs as the image's CMD and gunicorn.conf.py say, whose "
            "graceful timeout the rollout's grace period is measured against",
        }
    )

    # gunicorn and Python write temporary files; the root filesystem is read-only.
    WRITABLE_PATHS: ClassVar[Mapping[str, str]] = types.MappingProxyType({"/tmp": "64Mi"})

    def __post_init__(self) -> None:
        if self.cors_origins is not None:
            if isinstance(self.cors_origins, str) or not isinstance(self.cors_origins, tuple | list):
                raise check.fail(
                    self._owner, "cors_origins", self.cors_origins, "must be None or a tuple of origins"
                )
            object.__setattr__(self, "cors_origins", tuple(self.cors_origins))
        super().__post_init__()

    def validate(self) -> None:
        super().validate()
        owner = self._owner
        if self.port != IMAGE_PORT:
            raise check.fail(
                owner, "port", self.port, f"must be {IMAGE_PORT}, the port the image's gunicorn binds"
            )
        check.check_dns_subdomain(owner, "secret_name", self.secret_name)
        self._check_option(
            "secret_source",
            ExternalSecret,
            lambda source: source.validate(f"{owner}.secret_source", secret_keys=SECRET_KEYS),
        )
        check.check_choice(owner, "jwt_algorithm", self.jwt_algorithm, JWT_ALGORITHMS)
        check.check_int(
            owner, "jwt_expire_days", self.jwt_expire_days, minimum=1, maximum=JWT_EXPIRE_DAYS_MAX
        )
        if self.cors_origins is not None:
            if not self.cors_origins:
                raise check.fail(
                    owner, "cors_origins", self.cors_origins, "must list at least one origin, or be None"
                )
            for origin in self.cors_origins:
                check.check_origin(owner, "cors_origins", origin)

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """``CORS_ORIGINS`` as written: ``cors_origins``, else the spec's host over HTTP."""
        if self.cors_origins is not None:
            return self.cors_origins
        return (origin(DEFAULT_HOST, https=False),)

    def reserved_config(self) -> Mapping[str, str]:
        return {
            "JWT_ALGORITHM": "jwt_algorithm",
            "JWT_EXPIRE_DAYS": "jwt_expire_days",
            "CORS_ORIGINS": "cors_origins",
            **{key: "secret_name (it is a Secret key)" for key in SECRET_KEYS},
        }

    def config_data(self) -> dict[str, str]:
        return {
            "JWT_ALGORITHM": self.jwt_algorithm,
            "JWT_EXPIRE_DAYS": str(self.jwt_expire_days),
            "CORS_ORIGINS": ",".join(self.allowed_origins),
            **self.extra_config,
        }


@init_signature
class TodoBackend(Workload):
    """The backend's ConfigMap, Deployment and Service.

    Attributes (beyond :class:`~constructs_lib.workload.Workload`'s):
        frontend_name: the name of the frontend its NetworkPolicy lets in.
        external_secret: the ExternalSecret writing ``secret_name``, with
            ``secret_source``; else ``None``.

    Example:
        ``backend = TodoBackend(chart, "backend", props=TodoBackendProps(replicas=2))``
        then ``backend.service_name``, ``backend.port``, ``backend.deployment``.
    """

    # PostgreSQL and OpenAI (HTTPS), outside the cluster.
    EGRESS_PORTS: ClassVar[tuple[int, ...]] = (POSTGRESQL_PORT, HTTPS_PORT)

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: TodoBackendProps | None = None,
        frontend_name: str = FRONTEND_NAME,
    ) -> None:
        """Build the objects.

        Args:
            props: the backend's props; ``None``: the spec's backend.
            frontend_name: the ``name`` of the stack's :class:`TodoFrontend`, whose
                server side calls this backend. With ``props.network_policy``, only
                its pods are let in (by their selector labels), not those of another
                stack's frontend in the namespace. Default: the spec's
                ``"todo-frontend"``; ``add_todo_charts`` passes its frontend's name.
        """
        props = props if props is not None else TodoBackendProps()
        owner = type(self).__name__
        check.check_instance(owner, "props", props, TodoBackendProps)
        check.check_dns_label(owner, "frontend_name", frontend_name)
        super().__init__(
            scope,
            id,
            props=props,
            component=BACKEND_COMPONENT,
            secret_env={key: (props.secret_name, key) for key in SECRET_KEYS},
            network_access=NetworkAccess(
                clients=(StackPeer(frontend_name, FRONTEND_COMPONENT),), egress_ports=self.EGRESS_PORTS
            ),
        )
        self.frontend_name = frontend_name
        self.external_secret: ExternalSecretObject | None = (
            None
            if props.secret_source is None
            else add_external_secret(
                self,
                source=props.secret_source,
                secret_name=props.secret_name,
                labels=recommended_labels(props, self.component),
                annotations=self.namespace_annotations,
            )
        )
