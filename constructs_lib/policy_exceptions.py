"""Where the spec itself conflicts with a Checkov check: one annotation per exception, with its reason.

Checkov reads ``checkov.io/skipN: <check id>=<reason>`` from an object's
``metadata.annotations`` and skips that check for that object only; there is
no global skip list. An exception is written only where the check would
otherwise fail (the UID only while it is below 10000, the pull policy only
while it is not ``Always``, ...), so every other object is checked in full.
The one exception to that is the ``latest`` tag: it stays when ``image_tag``
changes, so that a new tag (``IMAGE_TAG``) changes nothing in the manifests
but the two image fields.
The Helm charts write the same annotations, in the same order (the
``checkovSkips`` helpers); the equivalence tests hold them equal.
"""

from __future__ import annotations

from dataclasses import dataclass

SKIP_ANNOTATION_PREFIX = "checkov.io/skip"
# Checkov's CKV_K8S_40 wants a UID above this, clear of host users.
HIGH_UID = 10000


@dataclass(frozen=True)
class PolicyException:
    """One Checkov check skipped on one object.

    Attributes:
        check_id: the Checkov check, e.g. ``"CKV_K8S_21"``.
        reason: why the spec needs it, written into the annotation.
    """

    check_id: str
    reason: str


DEFAULT_NAMESPACE = PolicyException(
    "CKV_K8S_21",
    "no namespace in the manifest; the Argo CD Application or helm --namespace places it "
    "(the spec deploys to default)",
)
LATEST_TAG = PolicyException(
    "CKV_K8S_14",
    "the spec's tag is latest for the images Minikube builds locally; IMAGE_TAG sets a release tag "
    "and changes nothing else",
)
IMAGE_DIGEST = PolicyException(
    "CKV_K8S_43",
    "images are referenced by tag, which IMAGE_TAG rolls out under GitOps; "
    "locally built images have no registry digest",
)
PULL_POLICY = PolicyException(
    "CKV_K8S_15",
    "the pull policy is chosen by image_pull_policy; the spec's Never runs Minikube's local images, "
    "with no registry to pull from",
)
LOW_UID = PolicyException(
    "CKV_K8S_40",
    "the images run as their own numeric user (the spec's UID 1001), which runAsNonRoot verifies",
)
SECRET_ENV = PolicyException(
    "CKV_K8S_35",
    "the app reads DATABASE_URL, BETTER_AUTH_SECRET and OPENAI_API_KEY from its environment, "
    "referenced from the external Secret and never written here",
)
NO_NETWORK_POLICY = PolicyException(
    "CKV2_K8S_6",
    "NetworkPolicies are the network_policy option, off by default: "
    "the spec's Minikube runs no CNI that enforces them",
)


def skip_annotations(exceptions: tuple[PolicyException, ...]) -> dict[str, str]:
    """``{"checkov.io/skip1": "CKV_K8S_21=<reason>", ...}``, numbered in the order given."""
    return {
        f"{SKIP_ANNOTATION_PREFIX}{number}": f"{exception.check_id}={exception.reason}"
        for number, exception in enumerate(exceptions, 1)
    }


def object_exceptions(*, namespaced: bool) -> tuple[PolicyException, ...]:
    """The exceptions every object of a workload needs: the namespace one, only without a namespace."""
    return () if namespaced else (DEFAULT_NAMESPACE,)


def workload_exceptions(
    *,
    namespaced: bool,
    pull_policy: str,
    run_as_user: int,
    reads_secret_env: bool,
    network_policy: bool,
) -> tuple[PolicyException, ...]:
    """The exceptions a workload's Deployment needs, each only when its check would fail."""
    found = [*object_exceptions(namespaced=namespaced), LATEST_TAG, IMAGE_DIGEST]
    if pull_policy != "Always":
        found.append(PULL_POLICY)
    if run_as_user < HIGH_UID:
        found.append(LOW_UID)
    if reads_secret_env:
        found.append(SECRET_ENV)
    if not network_policy:
        found.append(NO_NETWORK_POLICY)
    return tuple(found)
