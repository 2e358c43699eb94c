"""Where a Checkov check does not fit an object: one annotation per exception, with its reason.

Checkov reads ``checkov.io/skipN: <check id>=<reason>`` from an object's
``metadata.annotations`` and skips that check for that object only; there is
no global skip list. An exception is written only where its check would
otherwise fail (the namespace one only without a namespace, the tag one only
for ``latest``, the UID one only below 10000, ...), and its reason describes
the object as emitted: the pull policy and the user it names are the ones in
its pod spec. ``checkov_annotations=False`` on a workload writes none, for
teams that do not run Checkov.

The Helm charts write the same annotations in the same order: the reasons are
generated into the library chart (``scripts/chart_policy_exceptions.py``,
run by ``make docs``) and the equivalence tests hold both packagings equal.
"""

from __future__ import annotations

from dataclasses import dataclass

SKIP_ANNOTATION_PREFIX = "checkov.io/skip"
# Checkov's CKV_K8S_40 wants a UID above this, clear of host users.
HIGH_UID = 10000
# The pull policy that runs images already on the node, as Minikube's local builds are.
LOCAL_PULL_POLICY = "Never"


@dataclass(frozen=True)
class PolicyException:
    """One Checkov check skipped on one object.

    Attributes:
        check_id: the Checkov check, e.g. ``"CKV_K8S_21"``.
        reason: why the object needs it, written into the annotation. Checkov
            splits ``<id>=<reason>`` at the first ``=``, so a reason holds none.
    """

    check_id: str
    reason: str


DEFAULT_NAMESPACE = PolicyException(
    "CKV_K8S_21",
    "no namespace in the manifest; the Argo CD Application or helm --namespace places it",
)
LATEST_TAG = PolicyException(
    "CKV_K8S_14",
    "the tag is latest, the image Minikube builds on the node; a release tag (IMAGE_TAG under GitOps) "
    "changes nothing else",
)
# Without a registry there is no digest to pin; with one, the release tag is what GitOps changes.
IMAGE_DIGEST = {
    "local": PolicyException(
        "CKV_K8S_43",
        "the image is built on the node, which gives it no registry digest",
    ),
    "registry": PolicyException(
        "CKV_K8S_43",
        "the image is referenced by its release tag, which a commit to the manifests rolls out; "
        "the registry keeps release tags immutable",
    ),
}
# Checkov wants Always; each other policy with what it means for this object.
PULL_POLICY = {
    "Never": PolicyException(
        "CKV_K8S_15",
        "the pull policy is Never: the image is built on the node, with no registry to pull from",
    ),
    "IfNotPresent": PolicyException(
        "CKV_K8S_15",
        "the pull policy is IfNotPresent: each node pulls a release tag once and reuses it, "
        "as a release tag never changes",
    ),
}
LOW_UID = PolicyException(
    "CKV_K8S_40",
    "the image runs as its own numeric user (UID {uid}), which runAsNonRoot verifies",
)
NO_CPU_LIMIT = PolicyException(
    "CKV_K8S_11",
    "no CPU limit, as resources.cpu_limit asks: the pods may use idle CPU beyond their request, "
    "which still reserves their share",
)
SECRET_ENV = PolicyException(
    "CKV_K8S_35",
    "the app reads DATABASE_URL, BETTER_AUTH_SECRET and OPENAI_API_KEY from its environment, "
    "referenced from the external Secret and never written here",
)
EXTRA_SECRET_ENV = PolicyException(
    "CKV_K8S_35",
    "extra_env or extra_env_secret reads Secret keys into the environment, where the app reads its settings",
)
NO_NETWORK_POLICY = PolicyException(
    "CKV2_K8S_6",
    "NetworkPolicies are the network_policy option, off by default: "
    "Minikube's default network plugin does not enforce them",
)

# The helm test pod's own exceptions: the charts emit that pod, the constructs do not.
TEST_POD = {
    "NO_LIVENESS": PolicyException(
        "CKV_K8S_8",
        "a one-shot helm test pod that exits within seconds has nothing for a liveness probe to restart",
    ),
    "NO_READINESS": PolicyException(
        "CKV_K8S_9",
        "a one-shot helm test pod receives no traffic, so there is nothing for a readiness probe to gate",
    ),
    "IMAGE_DIGEST": PolicyException(
        "CKV_K8S_43", "the helm test image is referenced by tests.image.tag; set a digest there to pin it"
    ),
    "PULL_POLICY": PolicyException(
        "CKV_K8S_15",
        "the helm test image's pull policy is tests.image.pullPolicy, IfNotPresent by default "
        "so a cached busybox is reused",
    ),
    "NO_NETWORK_POLICY": PolicyException(
        "CKV2_K8S_6",
        "the helm test pod only connects out to the Service for a few seconds and accepts no connections",
    ),
}


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
    image_tag: str,
    image_digested: bool,
    pull_policy: str,
    run_as_user: int,
    cpu_limited: bool,
    reads_secret_env: bool,
    network_policy: bool,
    reads_extra_secret_env: bool = False,
) -> tuple[PolicyException, ...]:
    """The exceptions a workload's Deployment needs, each only when its check would fail."""
    found = list(object_exceptions(namespaced=namespaced))
    # A digest pins the build whatever the tag and pull policy say: Checkov passes the
    # tag, digest and pull policy checks then.
    if not image_digested:
        if image_tag == "latest":
            found.append(LATEST_TAG)
        found.append(IMAGE_DIGEST["local" if pull_policy == LOCAL_PULL_POLICY else "registry"])
        if pull_policy != "Always":
            found.append(PULL_POLICY[pull_policy])
    if run_as_user < HIGH_UID:
        found.append(PolicyException(LOW_UID.check_id, LOW_UID.reason.format(uid=run_as_user)))
    if not cpu_limited:
        found.append(NO_CPU_LIMIT)
    if reads_secret_env:
        found.append(SECRET_ENV)
    elif reads_extra_secret_env:
        found.append(EXTRA_SECRET_ENV)
    if not network_policy:
        found.append(NO_NETWORK_POLICY)
    return tuple(found)
