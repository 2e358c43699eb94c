{{/*
Checkov exceptions as checkov.io/skipN annotations: the checks, reasons and
order of constructs_lib/policy_exceptions.py (its reasons are generated into
_policy_exceptions.tpl), each only where its check would fail, and none when
checkovAnnotations is false.
*/}}

{{/* The annotations, numbered in order. Called with a list of "<id>=<reason>" strings. */}}
{{- define "todo-common.skipAnnotations" -}}
{{- $lines := list }}
{{- range $index, $skip := . }}
{{- $lines = append $lines (printf "checkov.io/skip%d: %s" (add1 $index) ($skip | quote)) }}
{{- end }}
{{- join "\n" $lines }}
{{- end }}

{{/*
An object's annotations as one YAML map, empty when it has none, so that the
templates leave metadata.annotations out rather than write it null. Called
with (list <root> <template of its Checkov annotations> <map of more annotations or nil>).
*/}}
{{- define "todo-common.metadataAnnotations" -}}
{{- $all := include (index . 1) (index . 0) | fromYaml | default dict }}
{{- range $key, $value := index . 2 | default dict }}
{{- $_ := set $all $key $value }}
{{- end }}
{{- with $all }}{{ toYaml . }}{{ end }}
{{- end }}

{{/* Annotations of the objects other than the Deployment: they have no namespace of their own. */}}
{{- define "todo-common.annotations" -}}
{{- if .Values.checkovAnnotations }}
{{- $exceptions := include "todo-common.policyExceptions" . | fromYaml }}
{{- include "todo-common.skipAnnotations" (list $exceptions.DEFAULT_NAMESPACE) }}
{{- end }}
{{- end }}

{{/* Annotations of the Deployment: the exceptions its pod template needs (workload_exceptions). */}}
{{- define "todo-common.deploymentAnnotations" -}}
{{- if .Values.checkovAnnotations }}
{{- $exceptions := include "todo-common.policyExceptions" . | fromYaml }}
{{- $tag := toString .Values.image.tag }}
{{- $policy := include "todo-common.pullPolicy" . }}
{{- $digested := ne (toString (.Values.image.digest | default "")) "" }}
{{- $skips := list $exceptions.DEFAULT_NAMESPACE }}
{{- /* A digest pins the build whatever the tag and pull policy say: Checkov passes those checks then. */}}
{{- if not $digested }}
{{- if eq $tag "latest" }}
{{- $skips = append $skips $exceptions.LATEST_TAG }}
{{- end }}
{{- $skips = append $skips (get $exceptions.IMAGE_DIGEST (ternary "local" "registry" (eq $policy $exceptions.LOCAL_PULL_POLICY))) }}
{{- if ne $policy "Always" }}
{{- $skips = append $skips (get $exceptions.PULL_POLICY $policy) }}
{{- end }}
{{- end }}
{{- $uid := .Values.securityContext.runAsUser | default 0 | int }}
{{- if lt $uid (int $exceptions.HIGH_UID) }}
{{- $skips = append $skips (replace "{uid}" (toString $uid) $exceptions.LOW_UID) }}
{{- end }}
{{- if not .Values.resources.limits.cpu }}
{{- $skips = append $skips $exceptions.NO_CPU_LIMIT }}
{{- end }}
{{- $secretRefs := list }}
{{- range .Values.extraEnvVars }}{{ if .valueFrom.secretKeyRef }}{{ $secretRefs = append $secretRefs .name }}{{ end }}{{ end }}
{{- if include "todo-common.part" (list . "secretKeys") }}
{{- $skips = append $skips $exceptions.SECRET_ENV }}
{{- else if $secretRefs }}
{{- $skips = append $skips $exceptions.EXTRA_SECRET_ENV }}
{{- end }}
{{- if not .Values.networkPolicy.enabled }}
{{- $skips = append $skips $exceptions.NO_NETWORK_POLICY }}
{{- end }}
{{- include "todo-common.skipAnnotations" $skips }}
{{- end }}
{{- end }}

{{/* Annotations of the helm test pod, which the constructs do not emit. */}}
{{- define "todo-common.testPodAnnotations" -}}
{{- if .Values.checkovAnnotations }}
{{- $all := include "todo-common.policyExceptions" . | fromYaml }}
{{- $exceptions := $all.TEST_POD }}
{{- $skips := list $all.DEFAULT_NAMESPACE $exceptions.NO_LIVENESS $exceptions.NO_READINESS $exceptions.IMAGE_DIGEST }}
{{- if ne .Values.tests.image.pullPolicy "Always" }}
{{- $skips = append $skips $exceptions.PULL_POLICY }}
{{- end }}
{{- $skips = append $skips $exceptions.NO_NETWORK_POLICY }}
{{- include "todo-common.skipAnnotations" $skips }}
{{- end }}
{{- end }}
