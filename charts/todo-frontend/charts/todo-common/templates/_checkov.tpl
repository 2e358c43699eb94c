{{/*
Checkov exceptions the spec needs, as checkov.io/skipN annotations: the same
checks, reasons and order as constructs_lib/policy_exceptions.py, each only
where its check would fail. Checkov splits "<id>=<reason>" at "=", so a reason
holds none.
*/}}

{{/* The exceptions of constructs_lib/policy_exceptions.py, by its names there. */}}
{{- define "todo-common.policyExceptions" -}}
DEFAULT_NAMESPACE: "CKV_K8S_21=no namespace in the manifest; the Argo CD Application or helm --namespace places it (the spec deploys to default)"
LATEST_TAG: "CKV_K8S_14=the spec's tag is latest for the images Minikube builds locally; IMAGE_TAG sets a release tag and changes nothing else"
IMAGE_DIGEST: "CKV_K8S_43=images are referenced by tag, which IMAGE_TAG rolls out under GitOps; locally built images have no registry digest"
PULL_POLICY: "CKV_K8S_15=the pull policy is chosen by image_pull_policy; the spec's Never runs Minikube's local images, with no registry to pull from"
LOW_UID: "CKV_K8S_40=the images run as their own numeric user (the spec's UID 1001), which runAsNonRoot verifies"
SECRET_ENV: "CKV_K8S_35=the app reads DATABASE_URL, BETTER_AUTH_SECRET and OPENAI_API_KEY from its environment, referenced from the external Secret and never written here"
NO_NETWORK_POLICY: "CKV2_K8S_6=NetworkPolicies are the network_policy option, off by default: the spec's Minikube runs no CNI that enforces them"
{{- end }}

{{/* The exceptions of the helm test pod, which the constructs do not emit. */}}
{{- define "todo-common.testPodExceptions" -}}
NO_LIVENESS: "CKV_K8S_8=a one-shot helm test pod that exits within seconds has nothing for a liveness probe to restart"
NO_READINESS: "CKV_K8S_9=a one-shot helm test pod receives no traffic, so there is nothing for a readiness probe to gate"
IMAGE_DIGEST: "CKV_K8S_43=the helm test image is referenced by tests.image.tag; set a digest there to pin it"
PULL_POLICY: "CKV_K8S_15=the helm test image's pull policy is tests.image.pullPolicy, IfNotPresent by default so a cached busybox is reused"
NO_NETWORK_POLICY: "CKV2_K8S_6=the helm test pod only connects out to the Service for a few seconds and accepts no connections"
{{- end }}

{{/* The annotations, numbered in order. Called with a list of "<id>=<reason>" strings. */}}
{{- define "todo-common.skipAnnotations" -}}
{{- $lines := list }}
{{- range $index, $skip := . }}
{{- $lines = append $lines (printf "checkov.io/skip%d: %s" (add1 $index) ($skip | quote)) }}
{{- end }}
{{- join "\n" $lines }}
{{- end }}

{{/* Annotations of the objects other than the Deployment: they have no namespace of their own. */}}
{{- define "todo-common.annotations" -}}
{{- $exceptions := include "todo-common.policyExceptions" . | fromYaml }}
{{- include "todo-common.skipAnnotations" (list $exceptions.DEFAULT_NAMESPACE) }}
{{- end }}

{{/* Annotations of the Deployment: the exceptions its pod template needs (workload_exceptions). */}}
{{- define "todo-common.deploymentAnnotations" -}}
{{- $exceptions := include "todo-common.policyExceptions" . | fromYaml }}
{{- /* LATEST_TAG is kept for any tag, so that a new tag changes only the image field. */}}
{{- $skips := list $exceptions.DEFAULT_NAMESPACE $exceptions.LATEST_TAG $exceptions.IMAGE_DIGEST }}
{{- if ne .Values.image.pullPolicy "Always" }}
{{- $skips = append $skips $exceptions.PULL_POLICY }}
{{- end }}
{{- if lt (.Values.securityContext.runAsUser | default 0 | int) 10000 }}
{{- $skips = append $skips $exceptions.LOW_UID }}
{{- end }}
{{- if include "todo-common.part" (list . "secretKeys") }}
{{- $skips = append $skips $exceptions.SECRET_ENV }}
{{- end }}
{{- if not .Values.networkPolicy.enabled }}
{{- $skips = append $skips $exceptions.NO_NETWORK_POLICY }}
{{- end }}
{{- include "todo-common.skipAnnotations" $skips }}
{{- end }}

{{/* Annotations of the helm test pod. */}}
{{- define "todo-common.testPodAnnotations" -}}
{{- $exceptions := include "todo-common.testPodExceptions" . | fromYaml }}
{{- $skips := list (include "todo-common.policyExceptions" . | fromYaml).DEFAULT_NAMESPACE }}
{{- $skips = append $skips $exceptions.NO_LIVENESS }}
{{- $skips = append $skips $exceptions.NO_READINESS }}
{{- $skips = append $skips $exceptions.IMAGE_DIGEST }}
{{- if ne .Values.tests.image.pullPolicy "Always" }}
{{- $skips = append $skips $exceptions.PULL_POLICY }}
{{- end }}
{{- $skips = append $skips $exceptions.NO_NETWORK_POLICY }}
{{- include "todo-common.skipAnnotations" $skips }}
{{- end }}
