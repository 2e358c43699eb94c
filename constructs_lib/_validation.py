"""Checks shared by every props class.

Each check raises ``ValueError`` whose message names the field, the value that
was given and what is allowed, so a bad prop fails where the app is built, not
later in the cluster. Each rule mirrors the Kubernetes API validation it cites
(``k8s.io/apimachinery/pkg/util/validation`` and ``pkg/apis/*/validation``);
patterns match whole strings (``fullmatch``), since ``re.match`` with ``$``
also accepts a trailing newline.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

# The patterns below are the one spelling of each rule: the checks here
# fullmatch them, and scripts/chart_schema.py anchors them into the charts'
# values.schema.json. They use only syntax Python's re and the charts' schema
# validators (Go's regexp under Helm 3 and 4) both read: no \u escapes, no lookaround.

# RFC 1035 label (IsDNS1035Label): what Kubernetes requires of Service names.
DNS_LABEL = r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?"
# RFC 1123 label (ValidateNamespaceName is IsDNS1123Label): namespaces may start with a digit.
NAMESPACE = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
# An IPv4 address as Kubernetes reads a host (netutils.ParseIPSloppy): leading zeros allowed.
_OCTET = r"0*(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
IPV4_SLOPPY = rf"({_OCTET}\.){{3}}{_OCTET}"
# RFC 1123 subdomain (IsDNS1123Subdomain), at most 253 characters: most object names and hosts.
DNS_SUBDOMAIN = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
DNS_SUBDOMAIN_MAX = 253
# A route's host: a DNS name, or one under a leading '*.' label (the Ingress's
# IsWildcardDNS1123Subdomain; Gateway API's Hostname pattern), at most 253 characters.
HOST = rf"(\*\.)?{DNS_SUBDOMAIN}"
WILDCARD_PREFIX = "*."
# An annotation key's prefix, which Kubernetes lowercases before it checks it.
ANNOTATION_PREFIX = DNS_SUBDOMAIN.replace("a-z", "a-zA-Z")
# Non-empty label values (IsValidLabelValue allows empty ones too): up to 63 characters,
# alphanumeric at both ends.
LABEL_VALUE = r"(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?"
# The image reference grammar of github.com/distribution/reference (regexp.go), which
# container runtimes parse a pod's image with: [domain[:port]/]path, the path lowercase
# components joined by one '.', one or two '_', or any run of '-'. tools/image-reference
# runs the real parser, and a test holds these patterns to its verdicts.
_DOMAIN_COMPONENT = r"([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"({_DOMAIN_COMPONENT}(\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(:[0-9]+)?"
_PATH_COMPONENT = r"[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*"
IMAGE_REPOSITORY = rf"({_DOMAIN}/)?{_PATH_COMPONENT}(/{_PATH_COMPONENT})*"
# The path after the registry (RepositoryNameTotalLengthMax); a Docker Hub name
# of one component counts the "library/" the runtimes put before it.
IMAGE_PATH_MAX = 255
IMAGE_PATH_RULE = (
    f"must have at most {IMAGE_PATH_MAX} characters after the registry (a Docker Hub name of one "
    "component counts the 'library/' the runtimes put before it)"
)
IMAGE_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
# A digest in an algorithm the runtimes know (go-digest's), as lowercase hex of its length.
IMAGE_DIGEST = r"(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})"
# Label keys (IsQualifiedName): an optional DNS-subdomain prefix and "/", then up to 63 characters.
LABEL_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
# int32 fields (replicas, probe timings, UIDs): the API's upper bound.
INT32_MAX = 2**31 - 1
PORT_MAX = 65535
# A ConfigMap's data, in bytes (core.MaxSecretSize) and its keys' length (IsConfigMapKey).
CONFIG_MAP_MAX_BYTES = 1024 * 1024
CONFIG_MAP_KEY_MAX = 253
# Environment variable names a shell can read (stricter than IsEnvVarName, which
# allows '.' and '-'), no longer than a ConfigMap key.
ENV_NAME = rf"[A-Za-z_][A-Za-z0-9_]{{0,{CONFIG_MAP_KEY_MAX - 1}}}"
# A Secret or ConfigMap key (IsConfigMapKey): letters, digits, '-', '_', '.'; not '.', '..' or '..'-led.
CONFIG_KEY = r"\.?[-_a-zA-Z0-9][-._a-zA-Z0-9]*"
# Unicode's control characters (category Cc: C0, DEL and C1, NEL among them) and the
# line and paragraph separators, which YAML 1.1 reads as line breaks: no setting
# needs one. A character class body; U+2028/U+2029 are literal, as Go's regexp has no \u.
CONTROL_CHARACTERS = "\\x00-\\x1f\\x7f-\\x9f\u2028\u2029"
# A port number of up to five digits, at most 65535.
PORT_NUMBER = r"([0-9]{1,4}|[0-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
# Browsers send Origin in lowercase, and CORS compares it byte for byte.
# A port as a browser writes it in an origin: 1-65535, no leading zero.
ORIGIN_PORT = r"([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
ORIGIN = rf"https?://{DNS_SUBDOMAIN}(:{ORIGIN_PORT})?"
# An IPv4 CIDR without leading zeros, or the characters of an IPv6 one (Python checks the rest).
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
CIDR = (
    rf"({_OCTET}\.){{3}}{_OCTET}/(3[0-2]|[12]?[0-9])|[0-9a-f:]*:[0-9a-f:]*/(12[0-8]|1[01][0-9]|[1-9]?[0-9])"
)
# An HTTP path: '/', then no whitespace (any Unicode space or separator) and no control or
# format characters; check_http_path applies the same rule with str.isspace/isprintable,
# as Python's re has no \p{...}.
HTTP_PATH = r"/[^\s\p{Z}\p{C}]*"
# Ingress paths of type Exact or Prefix (validateIngressPath in pkg/apis/networking/validation).
INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
INVALID_PATH_SUFFIXES = ("/..", "/.")
# CPU in millicores or whole cores, memory with a binary suffix: the spellings the API
# server keeps (parse_quantity then refuses the non-canonical ones, "1000m" or "1024Mi").
CPU = r"[1-9][0-9]*m?"
MEMORY = r"[1-9][0-9]*(Ki|Mi|Gi|Ti|Pi)"
# A Go duration, as the External Secrets Operator parses refreshInterval: "1h", "30m", "1h30m", "0" (once).
GO_DURATION = r"0|([0-9]+(ns|us|µs|ms|s|m|h))+"
# time.ParseDuration holds a duration in an int64 of nanoseconds: about 2562047 hours.
GO_DURATION_UNITS = {
    "ns": 1,
    "us": 10**3,
    "µs": 10**3,
    "ms": 10**6,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}
GO_DURATION_MAX_NS = 2**63 - 1
GO_DURATION_ALLOWED = "must be a Go duration such as '1h' or '15m', at most 2562047h (Go's longest)"


def check_go_duration(owner: str, field: str, value: Any) -> None:
    """A duration Go's time.ParseDuration reads: its syntax, and no overflow of its int64 nanoseconds."""
    if not isinstance(value, str) or not re.fullmatch(GO_DURATION, value):
        raise fail(owner, field, value, GO_DURATION_ALLOWED)
    parts = re.findall(r"([0-9]+)(ns|us|µs|ms|s|m|h)", value)
    if sum(int(number) * GO_DURATION_UNITS[unit] for number, unit in parts) > GO_DURATION_MAX_NS:
        raise fail(owner, field, value, GO_DURATION_ALLOWED)


_DNS_LABEL = re.compile(DNS_LABEL)
_NAMESPACE = re.compile(NAMESPACE)
_IPV4_SLOPPY = re.compile(IPV4_SLOPPY)
_DNS_SUBDOMAIN = re.compile(DNS_SUBDOMAIN)
_HOST = re.compile(HOST)
_LABEL_VALUE = re.compile(LABEL_VALUE)
_IMAGE_REPOSITORY = re.compile(IMAGE_REPOSITORY)
_IMAGE_TAG = re.compile(IMAGE_TAG)
_IMAGE_DIGEST = re.compile(IMAGE_DIGEST)
_LABEL_NAME = re.compile(LABEL_NAME)
_ENV_NAME = re.compile(ENV_NAME)
_CONFIG_KEY = re.compile(CONFIG_KEY)
_CONTROL_CHARACTER = re.compile(f"[{CONTROL_CHARACTERS}]")
_ORIGIN = re.compile(ORIGIN)
_SURROGATE = re.compile("[\ud800-\udfff]")

_BINARY_SUFFIXES = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")
_DECIMAL_SUFFIXES = {"n": -3, "u": -2, "m": -1, "": 0, "k": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}
_QUANTITY = re.compile(r"(?P<number>[0-9]+(\.[0-9]+)?)(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)")


def fail(owner: str, field: str, value: object, allowed: str) -> ValueError:
    """Build the error every check raises: ``Owner.field: got <value>; <allowed>``."""
    return ValueError(f"{owner}.{field}: got {value!r}; {allowed}")


def check_int(owner: str, field: str, value: Any, *, minimum: int, maximum: int = INT32_MAX) -> None:
    # bool is an int in Python; `replicas=True` is a mistake, not 1.
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise fail(owner, field, value, f"must be an integer between {minimum} and {maximum}")


def check_port(owner: str, field: str, value: Any) -> None:
    check_int(owner, field, value, minimum=1, maximum=PORT_MAX)


def _check_match(owner: str, field: str, value: Any, pattern: re.Pattern[str], allowed: str) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise fail(owner, field, value, allowed)


def check_dns_label(owner: str, field: str, value: Any) -> None:
    _check_match(
        owner, field, value, _DNS_LABEL,
        "must be a DNS label: 1-63 lowercase letters, digits or '-', "
        "starting with a letter and ending with a letter or digit",
    )  # fmt: skip


def check_namespace(owner: str, field: str, value: Any) -> None:
    _check_match(
        owner, field, value, _NAMESPACE,
        "must be a namespace name: 1-63 lowercase letters, digits or '-', "
        "starting and ending with a letter or digit",
    )  # fmt: skip


def check_dns_subdomain(owner: str, field: str, value: Any) -> None:
    if not is_dns_subdomain(value):
        raise fail(
            owner,
            field,
            value,
            "must be a DNS name: dot-separated lowercase labels of letters, digits or '-', "
            "at most 253 characters",
        )


def is_dns_subdomain(value: Any) -> bool:
    return (
        isinstance(value, str) and len(value) <= DNS_SUBDOMAIN_MAX and bool(_DNS_SUBDOMAIN.fullmatch(value))
    )


def check_host(owner: str, field: str, value: Any) -> None:
    """A route's host: a DNS name, maybe a wildcard, not an IP address (validateIngressRules,
    with ParseIPSloppy; Gateway API's Hostname)."""
    if not (isinstance(value, str) and len(value) <= DNS_SUBDOMAIN_MAX and _HOST.fullmatch(value)):
        raise fail(
            owner,
            field,
            value,
            "must be a DNS name: dot-separated lowercase labels of letters, digits or '-', the first "
            "of them maybe '*', at most 253 characters",
        )
    if _IPV4_SLOPPY.fullmatch(value):
        raise fail(owner, field, value, "must be a DNS name, not an IP address")


def check_label_value(owner: str, field: str, value: Any) -> None:
    if not isinstance(value, str) or not _LABEL_VALUE.fullmatch(value):
        raise fail(
            owner,
            field,
            value,
            "must be a Kubernetes label value: empty, or up to 63 letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit",
        )


def check_label_key(owner: str, field: str, value: Any, *, annotation: bool = False) -> None:
    """A label key, or with ``annotation`` an annotation key, which Kubernetes checks lowercased
    (ValidateAnnotations), so its prefix may have capitals."""
    checked = value.lower() if annotation and isinstance(value, str) else value
    prefix, slash, name = checked.rpartition("/") if isinstance(checked, str) else ("", "", "")
    # IsQualifiedName: with a '/', the prefix is a non-empty DNS subdomain.
    if not _LABEL_NAME.fullmatch(name) or (slash and not is_dns_subdomain(prefix)):
        raise fail(
            owner,
            field,
            value,
            "keys must be Kubernetes label keys: an optional DNS-name prefix and '/', then up to 63 "
            "letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
        )


def check_bool(owner: str, field: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise fail(owner, field, value, "must be True or False")


def image_path(repository: str) -> str:
    """The path the runtimes read in a repository: after its registry, with Docker Hub's ``library/``.

    The first component is a registry when it has a '.' or ':', is
    ``localhost`` or has an uppercase letter (distribution/reference's
    splitDockerDomain); otherwise the registry is Docker Hub.
    """
    first, slash, rest = repository.partition("/")
    if slash and (any(c in first for c in ".:") or first == "localhost" or first != first.lower()):
        registry, path = first, rest
    else:
        registry, path = "docker.io", repository
    if registry in ("docker.io", "index.docker.io") and "/" not in path:
        path = f"library/{path}"
    return path


def is_local_image(repository: str) -> bool:
    """An image name of one component, e.g. ``todo-backend``: built on the node (Minikube's), not pulled.

    A '/' names a registry or a registry's namespace; a name without one
    would be a Docker Hub official image, which the Todo images are not.
    """
    return "/" not in repository


# What a pull policy or tag may be for where the image comes from, as both packagings word it.
NEVER_NEEDS_LOCAL_IMAGE = (
    "must be IfNotPresent or Always (or left unset) for an image from a registry (a '/' in its name), "
    "which Never never pulls: a node without the image fails the pod with ErrImageNeverPull"
)
REGISTRY_IMAGE_PINNED = (
    "must be a release tag, or image_digest set, for an image from a registry (a '/' in its name): "
    "latest moves, so nodes would run different builds"
)
LATEST_NOT_KEPT = (
    "must be Always or Never with image_tag 'latest' and no image_digest: with IfNotPresent each "
    "node keeps the build of latest it pulled first"
)


def check_image_repository(owner: str, field: str, value: Any) -> None:
    if not isinstance(value, str) or not _IMAGE_REPOSITORY.fullmatch(value):
        raise fail(
            owner,
            field,
            value,
            "must be a non-empty image repository such as 'todo-backend' or "
            "'registry.example.com:5000/team/todo-backend', without a tag or digest: lowercase "
            "path components joined by '/'",
        )
    if len(image_path(value)) > IMAGE_PATH_MAX:
        raise fail(owner, field, value, IMAGE_PATH_RULE)


def check_image_tag(owner: str, field: str, value: Any) -> None:
    if not isinstance(value, str) or not _IMAGE_TAG.fullmatch(value):
        digest = " (a digest goes in image_digest)" if isinstance(value, str) and "@" in value else ""
        raise fail(
            owner,
            field,
            value,
            "must be an image tag: 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'"
            + digest,
        )


def check_image_digest(owner: str, field: str, value: Any) -> None:
    if not isinstance(value, str) or not _IMAGE_DIGEST.fullmatch(value):
        raise fail(
            owner,
            field,
            value,
            "must be an image digest: sha256, sha384 or sha512, ':', and the hash in lowercase hex "
            "(64, 96 or 128 digits), e.g. the one `docker buildx imagetools inspect` prints",
        )


def check_http_path(owner: str, field: str, value: Any) -> None:
    if (
        not isinstance(value, str)
        or not value.startswith("/")
        or any(c.isspace() or not c.isprintable() for c in value)
    ):
        raise fail(
            owner,
            field,
            value,
            "must be an HTTP path starting with '/', without spaces or control characters",
        )


def check_ingress_path(owner: str, field: str, value: Any) -> None:
    """An Ingress path of type Exact or Prefix, as Kubernetes validates it."""
    check_http_path(owner, field, value)
    for sequence in INVALID_PATH_SEQUENCES:
        if sequence in value:
            raise fail(owner, field, value, f"must not contain {sequence!r}")
    for suffix in INVALID_PATH_SUFFIXES:
        if value.endswith(suffix):
            raise fail(owner, field, value, f"must not end with {suffix!r}")


# Paths routed twice: a Prefix path with or without its trailing '/' matches the same requests.
ROUTE_ONCE = "must list each path once (a Prefix path's trailing '/' matches the same requests)"

# Gateway API's HTTPPathMatch, as its CRD validates Exact and PathPrefix values (beside
# the Ingress sequences above): RFC 3986 path characters or %XX escapes, so no '#',
# spaces or other characters; at most 1024 of them; at most 64 matches in a rule.
GATEWAY_PATH = r"(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+"
GATEWAY_PATH_MAX = 1024
GATEWAY_MATCHES_MAX = 64
GATEWAY_PATH_ALLOWED = (
    f"must be at most {GATEWAY_PATH_MAX} of the characters a Gateway API path allows "
    "(letters, digits, -._~!$&'()*+,;=:@/ and %XX escapes; no '#')"
)
_GATEWAY_PATH = re.compile(GATEWAY_PATH)


def check_gateway_paths(owner: str, field: str, paths: list[str]) -> None:
    """The paths of one HTTPRoute rule, as the Gateway API CRD validates its matches."""
    if len(paths) > GATEWAY_MATCHES_MAX:
        raise fail(
            owner,
            field,
            f"<{len(paths)} paths>",
            f"must be at most {GATEWAY_MATCHES_MAX} paths for an HTTPRoute",
        )
    for index, path in enumerate(paths):
        if len(path) > GATEWAY_PATH_MAX or not _GATEWAY_PATH.fullmatch(path):
            raise fail(owner, f"{field}[{index}]", path, GATEWAY_PATH_ALLOWED)


# Browsers leave the scheme's own port out of the Origin they send.
DEFAULT_PORTS = {"http": 80, "https": 443}
ORIGIN_DEFAULT_PORT_RULE = (
    "must leave out the scheme's default port (80 for http, 443 for https): browsers send the "
    "origin without it, and CORS compares origins as written"
)


def check_origin(owner: str, field: str, value: Any) -> None:
    if not isinstance(value, str) or not _ORIGIN.fullmatch(value):
        raise fail(
            owner,
            field,
            value,
            "must be a lowercase origin such as 'http://todo.local' or 'https://todo.example.com:8443' "
            "(scheme, a host of dot-separated labels, and an optional port from 1 to 65535 without "
            "leading zeros; no path)",
        )
    scheme, _, rest = value.partition("://")
    if rest.endswith(f":{DEFAULT_PORTS[scheme]}"):
        raise fail(owner, field, value, ORIGIN_DEFAULT_PORT_RULE)


def check_instance(owner: str, field: str, value: Any, expected: type) -> None:
    """A props object of the class the construct takes: other props would build the wrong workload."""
    if not isinstance(value, expected):
        raise fail(owner, field, type(value).__name__, f"must be a {expected.__name__}(...)")


def check_choice(owner: str, field: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise fail(owner, field, value, f"must be one of {', '.join(allowed)}")


def check_env_map(
    owner: str, field: str, value: Any, *, reserved: Mapping[str, str], owned: Mapping[str, str]
) -> None:
    """Environment maps: valid names, string values without control characters, none a typed prop or the library owns."""
    if not isinstance(value, Mapping):
        raise fail(owner, field, value, "must be a mapping of environment variable names to strings")
    for key, item in value.items():
        check_env_name(owner, field, key, reserved=reserved, owned=owned)
        if not isinstance(item, str):
            raise fail(owner, f"{field}[{key!r}]", item, "values must be strings")
        if _CONTROL_CHARACTER.search(item):
            raise fail(
                owner,
                f"{field}[{key!r}]",
                item,
                "values must not contain control characters (newlines, tabs, NUL, DEL, C1 such as "
                "U+0085) or the separators U+2028 and U+2029",
            )
        check_encodable(owner, f"{field}[{key!r}]", item)


def check_config_key(owner: str, field: str, value: Any) -> None:
    if not isinstance(value, str) or not _CONFIG_KEY.fullmatch(value) or len(value) > CONFIG_MAP_KEY_MAX:
        raise fail(
            owner,
            field,
            value,
            f"must be a Secret or ConfigMap key: at most {CONFIG_MAP_KEY_MAX} letters, digits, '-', '_' "
            "or '.', and not '.', '..' or starting with '..'",
        )


def check_env_name(
    owner: str, field: str, key: Any, *, reserved: Mapping[str, str], owned: Mapping[str, str]
) -> None:
    """An environment variable name the container may take: valid, and no typed prop's or the library's."""
    if not isinstance(key, str) or not _ENV_NAME.fullmatch(key):
        raise fail(
            owner,
            field,
            key,
            f"keys must be environment variable names ([A-Za-z_][A-Za-z0-9_]*) of at most {CONFIG_MAP_KEY_MAX} characters",
        )
    if key in reserved:
        raise fail(owner, field, key, f"is set by {reserved[key]}; set it there instead")
    if key in owned:
        raise fail(owner, field, key, f"is set by the library ({owned[key]}); choose another name")


def check_encodable(owner: str, field: str, value: str) -> None:
    """Text the manifests can carry: a lone surrogate (U+D800-U+DFFF) has no UTF-8 form."""
    if _SURROGATE.search(value):
        raise fail(owner, field, value, "must be valid Unicode: no lone surrogate (U+D800-U+DFFF)")


def check_config_map_size(owner: str, field: str, data: Mapping[str, str]) -> None:
    """A ConfigMap holds at most 1 MiB of values (ValidateConfigMap)."""
    size = sum(len(value.encode()) for value in data.values())
    if size > CONFIG_MAP_MAX_BYTES:
        raise fail(
            owner,
            field,
            f"<{size} bytes>",
            f"the ConfigMap's values must total at most {CONFIG_MAP_MAX_BYTES} bytes",
        )


def parse_quantity(owner: str, field: str, value: Any) -> Decimal:
    """Return the amount a Kubernetes quantity stands for, refusing non-canonical spellings.

    The API server rewrites quantities into a canonical form (``1000m`` becomes
    ``1``, ``1024Mi`` becomes ``1Gi``); a manifest that spells one differently
    never matches the live object, and Argo CD shows it OutOfSync forever.
    """
    match = _QUANTITY.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise fail(
            owner,
            field,
            value,
            "must be a Kubernetes quantity such as '250m', '1', '256Mi' or '1Gi'",
        )
    number, suffix = Decimal(match["number"]), str(match["suffix"])
    if suffix in _BINARY_SUFFIXES[1:]:
        amount: Decimal = number * 1024 ** _BINARY_SUFFIXES.index(suffix)
    else:
        amount = number * Decimal(1000) ** _DECIMAL_SUFFIXES[suffix]
    if amount <= 0:
        raise fail(owner, field, value, "must be greater than zero")
    canonical = _canonical(amount, binary=suffix in _BINARY_SUFFIXES[1:])
    if canonical != value:
        raise fail(owner, field, value, f"must be written in canonical form: {canonical!r}")
    return amount


def _canonical(amount: Decimal, *, binary: bool) -> str:
    """Spell an amount the way the Kubernetes API server does."""
    if binary and amount == amount.to_integral_value() and amount >= 1024:
        exponent = 0
        while exponent < 6 and amount % 1024 ** (exponent + 1) == 0:
            exponent += 1
        if exponent:
            return f"{int(amount / 1024**exponent)}{_BINARY_SUFFIXES[exponent]}"
    for suffix, exponent in sorted(_DECIMAL_SUFFIXES.items(), key=lambda item: -item[1]):
        mantissa = amount / Decimal(1000) ** exponent
        if mantissa == mantissa.to_integral_value() and mantissa >= 1:
            return f"{int(mantissa)}{suffix}"
    # Finer than a nano-unit: the API server rounds up to 1n.
    return "1n"
