{{/*
Helpers of the todo-frontend chart: the names and labels of the library chart
todo-common (charts/todo-common), and the parts only the frontend has, which
its templates read (todo-common's README, "What a chart defines"). The config
data and the checks mirror constructs_lib (frontend.py, _validation.py), so
the chart renders what dist/ holds and refuses what the constructs refuse.
*/}}

{{/* The chart's names and labels under its own prefix, as `helm create` names them. */}}
{{- define "todo-frontend.name" -}}
{{- include "todo-common.name" . }}
{{- end }}

{{- define "todo-frontend.fullname" -}}
{{- include "todo-common.fullname" . }}
{{- end }}

{{- define "todo-frontend.chart" -}}
{{- include "todo-common.chart" . }}
{{- end }}

{{- define "todo-frontend.labels" -}}
{{- include "todo-common.labels" . }}
{{- end }}

{{- define "todo-frontend.selectorLabels" -}}
{{- include "todo-common.selectorLabels" . }}
{{- end }}

{{/* The frontend's Ingress routes the host's "/": it asks cert-manager for the certificate. */}}
{{- define "todo-frontend.issuesCertificate" -}}
true
{{- end }}

{{/* With ingress.perWorkload false, the frontend's Ingress is the stack's one: it routes the backend too. */}}
{{- define "todo-frontend.routesStack" -}}
true
{{- end }}

{{- define "todo-frontend.component" -}}
frontend
{{- end }}

{{/* The frontend reads no Secret. */}}
{{- define "todo-frontend.secretKeys" -}}
{{- end }}

{{/*
The ConfigMap's data as JSON: the standalone server's runtime settings, then
extraConfig (which may override them), then PORT from service.port (which
reservedConfig keeps out of extraConfig). NEXT_PUBLIC_* values are not here:
Next.js bakes them in at build time.
*/}}
{{- define "todo-frontend.configData" -}}
{{- $data := dict "HOSTNAME" "0.0.0.0" "NEXT_TELEMETRY_DISABLED" "1" "NODE_ENV" "production" }}
{{- range $key, $value := .Values.extraConfig }}
{{- $_ := set $data $key $value }}
{{- end }}
{{- $_ := set $data "PORT" (.Values.service.port | int64 | toString) }}
{{- toJson $data }}
{{- end }}

{{/* What extraConfig may not set, and the value that sets it. */}}
{{- define "todo-frontend.reservedConfig" -}}
{{- dict "PORT" "service.port" | toJson }}
{{- end }}

{{/*
The NetworkPolicy's rules besides the ingress controller's (in) and DNS (out):
nothing else calls the frontend.
*/}}
{{- define "todo-frontend.networkPolicyIngress" -}}
{{- end }}

{{- define "todo-frontend.networkPolicyEgress" -}}
# The server side calls the backend.
- to:
    {{- include "todo-common.peer" (list . .Values.networkPolicy.backendName "backend") | nindent 4 }}
  ports:
    - port: http
      protocol: TCP
{{- end }}

{{/*
The checks of todo-common.validate, and the frontend's own. Any service.port
works: the Next.js server listens on PORT, which the ConfigMap sets from it.
*/}}
{{- define "todo-frontend.validate" -}}
{{- include "todo-common.validate" . }}
{{- include "todo-common.validateGracePeriod" (list .Values.zeroDowntimeRollout (include "todo-frontend.shutdownSeconds" .)) }}
{{- end }}
