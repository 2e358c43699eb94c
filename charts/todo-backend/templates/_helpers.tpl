{{/*
Helpers of the todo-backend chart. Names, labels and the config data mirror
constructs_lib (workload.py, backend.py), so the chart renders what dist/ holds.
*/}}

{{/* The app.kubernetes.io/name label: the chart name unless overridden. */}}
{{- define "todo-backend.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Object names: the release name when it contains the chart name (so
`helm install todo-backend` gives todo-backend, as in dist/), else
"<release>-<name>". Truncated to 63 characters, the DNS label limit of Services.
*/}}
{{- define "todo-backend.fullname" -}}
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
{{- define "todo-backend.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Helm's recommended labels, the set the constructs emit (recommended_labels). */}}
{{- define "todo-backend.labels" -}}
helm.sh/chart: {{ include "todo-backend.chart" . }}
{{ include "todo-backend.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: backend
app.kubernetes.io/part-of: todo
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels: name + instance only, since selectors are immutable. */}}
{{- define "todo-backend.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-backend.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The ConfigMap's name. */}}
{{- define "todo-backend.configMapName" -}}
{{- printf "%s-config" (include "todo-backend.fullname" .) }}
{{- end }}

{{/* The keys of the external Secret, each read into the env variable of the same name. */}}
{{- define "todo-backend.secretKeys" -}}
DATABASE_URL BETTER_AUTH_SECRET OPENAI_API_KEY
{{- end }}

{{/*
The ConfigMap's data as JSON: the typed settings, then extraConfig (which the
schema keeps off the typed names). Built once: configmap.yaml writes it and
deployment.yaml hashes it. toJson sorts keys and escapes <, >, & as Go does,
which is the canonical form constructs_lib/checksum.py hashes too.
*/}}
{{- define "todo-backend.configData" -}}
{{- $data := dict
  "JWT_ALGORITHM" .Values.config.jwtAlgorithm
  "JWT_EXPIRE_DAYS" (.Values.config.jwtExpireDays | int64 | toString)
  "CORS_ORIGINS" (join "," .Values.config.corsOrigins)
}}
{{- range $key, $value := .Values.extraConfig }}
{{- $_ := set $data $key $value }}
{{- end }}
{{- toJson $data }}
{{- end }}

{{/*
A probe from values without the entries set to null: users switch a default
handler or timing off with null (httpGet: null), which must not reach the
manifest. Called with (list "<values key>" <probe>); one handler only, as the
API requires.
*/}}
{{- define "todo-backend.probe" -}}
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
