{{/*
The version the pods run: image.tag, unless it is latest or no label value
(then the chart's appVersion), as the constructs' version_label.
*/}}
{{- define "todo-common.versionLabel" -}}
{{- $tag := toString .Values.image.tag -}}
{{- if and (ne $tag "latest") (regexMatch (printf "^%s$" (include "todo-common.limits" . | fromJson).labelValue) $tag) -}}
{{- $tag -}}
{{- else -}}
{{- .Chart.AppVersion -}}
{{- end -}}
{{- end }}

{{/* Helm's recommended labels, the set the constructs emit (recommended_labels). */}}
{{- define "todo-common.standardLabels" -}}
helm.sh/chart: {{ include "todo-common.chart" . | quote }}
{{ include "todo-common.selectorLabels" . }}
app.kubernetes.io/version: {{ include "todo-common.versionLabel" . | quote }}
app.kubernetes.io/component: {{ include "todo-common.part" (list . "component") }}
app.kubernetes.io/part-of: todo
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
{{- end }}

{{/* An object's labels: the standard ones and commonLabels (whose keys the schema keeps apart). */}}
{{- define "todo-common.labels" -}}
{{ include "todo-common.standardLabels" . }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels: name + instance only, since selectors are immutable. */}}
{{- define "todo-common.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-common.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end }}

{{/*
The pods of the stack's other workload, for the NetworkPolicy rules between
the two, by their app.kubernetes.io/instance label (its release name, whatever
the release is called; empty: this release, as when charts/todo installs both)
and their component label. Another Todo stack's pods in the namespace do not
match. Called with (list $ releaseName component).
*/}}
{{- define "todo-common.peer" -}}
{{- $root := index . 0 -}}
- podSelector:
    matchLabels:
      app.kubernetes.io/instance: {{ index . 1 | default $root.Release.Name | quote }}
      app.kubernetes.io/component: {{ index . 2 | quote }}
{{- end }}

{{/*
A NetworkPolicyPeer from a networkPeer value: addresses (cidr), or pods by
namespace name and labels, as NetworkPeer.to_json writes it.
*/}}
{{- define "todo-common.networkPeer" -}}
{{- if .cidr -}}
- ipBlock:
    cidr: {{ .cidr | quote }}
{{- else -}}
- {{- with .namespace }}
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ . | quote }}
  {{- end }}
  {{- with .podLabels }}
  podSelector:
    matchLabels:
      {{- toYaml . | nindent 6 }}
  {{- end }}
{{- end }}
{{- end }}
