{{/* The app.kubernetes.io/name label: the chart name unless overridden. */}}
{{- define "todo-common.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Object names: the release name when it contains the chart name (so
`helm install todo-backend` gives todo-backend, as in dist/), else
"<release>-<name>". Truncated to 63 characters, the DNS label limit of Services.
*/}}
{{- define "todo-common.fullname" -}}
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
{{- define "todo-common.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The ConfigMap's name. */}}
{{- define "todo-common.configMapName" -}}
{{- printf "%s-config" (include "todo-common.fullname" .) }}
{{- end }}
