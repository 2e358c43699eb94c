{{/*
Helpers of the todo-frontend chart. Names, labels and the config data mirror
constructs_lib (workload.py, frontend.py), so the chart renders what dist/ holds.
*/}}

{{/* The app.kubernetes.io/name label: the chart name unless overridden. */}}
{{- define "todo-frontend.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Object names: the release name when it contains the chart name (so
`helm install todo-frontend` gives todo-frontend, as in dist/), else
"<release>-<name>". Truncated to 63 characters, the DNS label limit of Services.
*/}}
{{- define "todo-frontend.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The helm.sh/chart label: chart name and version. */}}
{{- define "todo-frontend.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Helm's recommended labels, the set the constructs emit (recommended_labels). */}}
{{- define "todo-frontend.labels" -}}
helm.sh/chart: {{ include "todo-frontend.chart" . }}
{{ include "todo-frontend.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: frontend
app.kubernetes.io/part-of: todo
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels: name + instance only, since selectors are immutable. */}}
{{- define "todo-frontend.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-frontend.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The ConfigMap's name. */}}
{{- define "todo-frontend.configMapName" -}}
{{- printf "%s-config" (include "todo-frontend.fullname" .) }}
{{- end }}

{{/*
The ConfigMap's data as JSON: the standalone server's runtime settings, then
extraConfig (which may override them), then PORT from service.port (which the
schema keeps out of extraConfig). NEXT_PUBLIC_* values are not here: Next.js
bakes them in at build time. Built once: configmap.yaml writes it and
deployment.yaml hashes it. toJson sorts keys and escapes <, >, & as Go does,
which is the canonical form constructs_lib/checksum.py hashes too.
*/}}
{{- define "todo-frontend.configData" -}}
{{- $data := dict "HOSTNAME" "0.0.0.0" "NEXT_TELEMETRY_DISABLED" "1" "NODE_ENV" "production" }}
{{- range $key, $value := .Values.extraConfig }}
{{- $_ := set $data $key $value }}
{{- end }}
{{- $_ := set $data "PORT" (.Values.service.port | int64 | toString) }}
{{- toJson $data }}
{{- end }}

{{/*
A probe from values without the entries set to null: users switch a default
handler or timing off with null (httpGet: null), which must not reach the
manifest. Called with (list "<values key>" <probe>); one handler only, as the
API requires.
*/}}
{{- define "todo-frontend.probe" -}}
{{- $name := index . 0 }}
{{- $probe := dict }}
{{- range $key, $value := index . 1 }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $probe $key $value }}
{{- end }}
{{- end }}
{{- $handlers := keys (pick $probe "httpGet" "tcpSocket" "exec" "grpc") | sortAlpha }}
{{- if gt (len $handlers) 1 }}
{{- fail (printf "%s has handlers %s; keep one and set the others to null" $name (join ", " $handlers)) }}
{{- end }}
{{- toYaml $probe }}
{{- end }}
