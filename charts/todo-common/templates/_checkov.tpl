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
templates leave metadata.annotations out rather than write it null: its
Checkov annotations, its own, then commonAnnotations where the object has no
such key. Together at most 256 KiB, as the API server's ValidateAnnotationsSize
counts them. Called with (list <root> <template of its Checkov annotations>
<map of more annotations or nil>).
*/}}
{{- define "todo-common.metadataAnnotations" -}}
{{- $root := index . 0 }}
{{- $all := include (index . 1) $root | fromYaml | default dict }}
{{- range $key, $value := index . 2 | default dict }}
{{- $_ := set $all $key $value }}
{{- end }}
{{- $all = merge $all ($root.Values.commonAnnotations | default dict) }}
{{- $blame := ternary "commonAnnotations" "metadata.annotations" (not (empty $root.Values.commonAnnotations)) }}
{{- include "todo-common.checkAnnotationsSize" (list $root $blame $all) }}
{{- with $all }}{{ toYaml . }}{{ end }}
{{- end }}

{{/* No annotations of the chart's own, for metadataAnnotations. */}}
{{- define "todo-common.noAnnotations" -}}
{{- end }}

{{/*
The annotations of one object (or pod template) together, the chart's own and
the values', at most 256 KiB: the API server's ValidateAnnotationsSize. Called
with (list <root> "<value path to blame>" <map>).
*/}}
{{- define "todo-common.checkAnnotationsSize" -}}
{{- $size := 0 }}
{{- range $key, $value := index . 2 }}{{ $size = add $size (len $key) (len (toString $value)) }}{{ end }}
{{- $max := (include "todo-common.limits" (index . 0) | fromJson).annotationsMaxBytes | int }}
{{- if gt $size $max }}
{{- fail (printf "%s: got %d bytes of annotations on one object; must total at most %d bytes with the library's own annotations on the object" (index . 1) $size $max) }}
{{- end }}
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
{{- else if or $secretRefs .Values.extraEnvVarsSecret }}
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
