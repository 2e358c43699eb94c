{{/*
Helpers of the todo-backend chart: the names and labels of the library chart
todo-common (charts/todo-common), and the parts only the backend has, which
its templates read (todo-common's README, "What a chart defines"). The config
data and the checks mirror constructs_lib (backend.py, _validation.py), so the
chart renders what dist/ holds and refuses what the constructs refuse.
*/}}

{{/* The chart's names and labels under its own prefix, as `helm create` names them. */}}
{{- define "todo-backend.name" -}}
{{- include "todo-common.name" . }}
{{- end }}

{{- define "todo-backend.fullname" -}}
{{- include "todo-common.fullname" . }}
{{- end }}

{{- define "todo-backend.chart" -}}
{{- include "todo-common.chart" . }}
{{- end }}

{{- define "todo-backend.labels" -}}
{{- include "todo-common.labels" . }}
{{- end }}

{{- define "todo-backend.selectorLabels" -}}
{{- include "todo-common.selectorLabels" . }}
{{- end }}

{{/* The frontend's Ingress asks cert-manager for the host's certificate; this one only uses it. */}}
{{- define "todo-backend.issuesCertificate" -}}
{{- end }}

{{/* With ingress.perWorkload false, the frontend's Ingress routes this chart's paths. */}}
{{- define "todo-backend.routesStack" -}}
{{- end }}

{{- define "todo-backend.component" -}}
backend
{{- end }}

{{/* The keys of the external Secret, each read into the env variable of the same name. */}}
{{- define "todo-backend.secretKeys" -}}
DATABASE_URL BETTER_AUTH_SECRET OPENAI_API_KEY
{{- end }}

{{/*
The ConfigMap's data as JSON: the typed settings, then extraConfig (which
reservedConfig keeps off the typed names).
*/}}
{{- define "todo-backend.configData" -}}
{{- $data := dict
  "JWT_ALGORITHM" .Values.config.jwtAlgorithm
  "JWT_EXPIRE_DAYS" (.Values.config.jwtExpireDays | int64 | toString)
  "CORS_ORIGINS" (include "todo-backend.corsOrigins" .)
}}
{{- range $key, $value := .Values.extraConfig }}
{{- $_ := set $data $key $value }}
{{- end }}
{{- toJson $data }}
{{- end }}

{{/*
CORS_ORIGINS: config.corsOrigins, else the origins browsers send from the
pages the chart's routes serve: the Ingress host (https with
ingress.tls.secretName, else http), then the HTTPRoute host (https), each
once; with neither route enabled, the Ingress host's.
*/}}
{{- define "todo-backend.corsOrigins" -}}
{{- $origins := .Values.config.corsOrigins }}
{{- if not $origins }}
{{- $origins = list }}
{{- range $field, $route := dict "ingress.host" .Values.ingress "httpRoute.host" .Values.httpRoute }}
{{- if and (or $route.enabled (and (eq $field "ingress.host") (not $.Values.httpRoute.enabled))) (hasPrefix "*." $route.host) }}
{{- fail (printf "%s: got %q; is a wildcard, which gives no one origin to derive the backend's CORS origins from; set config.corsOrigins to the origins browsers send, e.g. 'https://app.example.com'" $field $route.host) }}
{{- end }}
{{- end }}
{{- if or .Values.ingress.enabled (not .Values.httpRoute.enabled) }}
{{- $scheme := ternary "https" "http" (not (empty .Values.ingress.tls.secretName)) }}
{{- $origins = append $origins (printf "%s://%s" $scheme .Values.ingress.host) }}
{{- end }}
{{- if .Values.httpRoute.enabled }}
{{- $origins = append $origins (printf "https://%s" .Values.httpRoute.host) | uniq }}
{{- end }}
{{- end }}
{{- join "," $origins }}
{{- end }}

{{/* What extraConfig may not set, and the value that sets it. */}}
{{- define "todo-backend.reservedConfig" -}}
{{- $reserved := dict
  "JWT_ALGORITHM" "config.jwtAlgorithm"
  "JWT_EXPIRE_DAYS" "config.jwtExpireDays"
  "CORS_ORIGINS" "config.corsOrigins"
}}
{{- range splitList " " (include "todo-backend.secretKeys" .) }}
{{- $_ := set $reserved . "the Secret secretName" }}
{{- end }}
{{- toJson $reserved }}
{{- end }}

{{/*
The NetworkPolicy's rules besides the ingress controller's (in) and DNS (out).
*/}}
{{- define "todo-backend.networkPolicyIngress" -}}
# The frontend's server side calls the backend.
- from:
    {{- include "todo-common.peer" (list . .Values.networkPolicy.frontendName "frontend") | nindent 4 }}
  ports:
    - port: http
      protocol: TCP
{{- end }}

{{- define "todo-backend.networkPolicyEgress" -}}
# PostgreSQL and OpenAI (HTTPS), outside the stack: to networkPolicy.egressTo, or anywhere.
- {{- with .Values.networkPolicy.egressTo }}
  to:
    {{- range . }}
    {{- include "todo-common.networkPeer" . | nindent 4 }}
    {{- end }}
  {{- end }}
  ports:
    - port: 5432
      protocol: TCP
    - port: 443
      protocol: TCP
{{- end }}

{{/*
The checks of todo-common.validate, and the backend's own: its port, its
shutdown, and the Secret's values.
*/}}
{{- define "todo-backend.validate" -}}
{{- /* gunicorn binds 0.0.0.0:8000 in the image's CMD (docker/backend/Dockerfile), whatever the chart says. */}}
{{- if ne (.Values.service.port | int64) 8000 }}
{{- fail (printf "service.port: got %v; must be 8000, the port the image's gunicorn binds" .Values.service.port) }}
{{- end }}
{{- include "todo-common.validate" . }}
{{- range .Values.config.corsOrigins }}
{{- if or (and (hasPrefix "http://" .) (hasSuffix ":80" .)) (and (hasPrefix "https://" .) (hasSuffix ":443" .)) }}
{{- fail (printf "config.corsOrigins: got %q; must leave out the scheme's default port (80 for http, 443 for https): browsers send the origin without it, and CORS compares origins as written" .) }}
{{- end }}
{{- end }}
{{- /* gunicorn's graceful timeout runs after preStop, within the grace period. */}}
{{- include "todo-common.validateGracePeriod" (list .Values.zeroDowntimeRollout (include "todo-backend.shutdownSeconds" .)) }}
{{- range $key, $remote := .Values.externalSecret.remoteKeys }}
{{- include "todo-common.refuseControlCharacters" (list (printf "externalSecret.remoteKeys.%s" $key) $remote) }}
{{- end }}
{{- with .Values.externalSecret }}
{{- if .enabled }}
{{- if $.Values.secret.create }}
{{- fail "secret.create: got true; the ExternalSecret (externalSecret.enabled) writes the Secret secretName: turn one off" }}
{{- end }}
{{- if not .storeName }}
{{- fail "externalSecret.storeName: got \"\"; must name the SecretStore or ClusterSecretStore to read from" }}
{{- end }}
{{- include "todo-common.validateGoDuration" (list "externalSecret.refreshInterval" .refreshInterval) }}
{{- range splitList " " (include "todo-backend.secretKeys" $) }}
{{- if not (get $.Values.externalSecret.remoteKeys .) }}
{{- fail (printf "externalSecret.remoteKeys.%s: got \"\"; must be the store's key for %s" . .) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- if .Values.secret.create }}
{{- range $key, $value := .Values.secret.values }}
{{- /* The value is never printed: a failed render's output ends up in CI logs. */}}
{{- if regexMatch `[\x00-\x1f\x7f-\x9f]` $value }}
{{- fail (printf "secret.values.%s: got a value with a control character (not shown: it is a secret); must have none, since a trailing newline or tab would become part of the secret" $key) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
