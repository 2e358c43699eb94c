{{/*
Generated from constructs_lib/policy_exceptions.py by scripts/chart_policy_exceptions.py
(make docs); edit the Python, not this file.
*/}}
{{- define "todo-common.policyExceptions" -}}
DEFAULT_NAMESPACE: "CKV_K8S_21=no namespace in the manifest; the Argo CD Application or helm --namespace places it"
LATEST_TAG: "CKV_K8S_14=the tag is latest, the image Minikube builds on the node; a release tag (IMAGE_TAG under GitOps) changes nothing else"
IMAGE_DIGEST:
  "local": "CKV_K8S_43=the image is built on the node, which gives it no registry digest"
  "registry": "CKV_K8S_43=the image is referenced by its release tag, which a commit to the manifests rolls out; the registry keeps release tags immutable"
PULL_POLICY:
  "Never": "CKV_K8S_15=the pull policy is Never: the image is built on the node, with no registry to pull from"
  "IfNotPresent": "CKV_K8S_15=the pull policy is IfNotPresent: each node pulls a release tag once and reuses it, as a release tag never changes"
LOW_UID: "CKV_K8S_40=the image runs as its own numeric user (UID {uid}), which runAsNonRoot verifies"
NO_CPU_LIMIT: "CKV_K8S_11=no CPU limit, as resources.cpu_limit asks: the pods may use idle CPU beyond their request, which still reserves their share"
SECRET_ENV: "CKV_K8S_35=the app reads DATABASE_URL, BETTER_AUTH_SECRET and OPENAI_API_KEY from its environment, referenced from the external Secret and never written here"
EXTRA_SECRET_ENV: "CKV_K8S_35=extra_env or extra_env_secret reads Secret keys into the environment, where the app reads its settings"
NO_NETWORK_POLICY: "CKV2_K8S_6=NetworkPolicies are the network_policy option, off by default: Minikube's default network plugin does not enforce them"
TEST_POD:
  "NO_LIVENESS": "CKV_K8S_8=a one-shot helm test pod that exits within seconds has nothing for a liveness probe to restart"
  "NO_READINESS": "CKV_K8S_9=a one-shot helm test pod receives no traffic, so there is nothing for a readiness probe to gate"
  "IMAGE_DIGEST": "CKV_K8S_43=the helm test image is referenced by tests.image.tag; set a digest there to pin it"
  "PULL_POLICY": "CKV_K8S_15=the helm test image's pull policy is tests.image.pullPolicy, IfNotPresent by default so a cached busybox is reused"
  "NO_NETWORK_POLICY": "CKV2_K8S_6=the helm test pod only connects out to the Service for a few seconds and accepts no connections"
HIGH_UID: 10000
LOCAL_PULL_POLICY: "Never"
{{- end }}
