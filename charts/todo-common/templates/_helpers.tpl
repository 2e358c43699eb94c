{{/*
The ConfigMap's data hashed: the pod template's checksum/config annotation,
so a config change rolls the pods (envFrom is read at start only). The data
is the chart's configData, JSON written by toJson (keys sorted, <, > and &
escaped as Go does), the canonical form constructs_lib/checksum.py hashes too.
*/}}
{{- define "todo-common.configChecksum" -}}
{{- include "todo-common.part" (list . "configData") | sha256sum }}
{{- end }}

{{/*
A probe from values without the entries set to null: users switch a default
handler or timing off with null (httpGet: null), which must not reach the
manifest. Called with (list "<values key>" <probe>); one handler only, as the
API requires.
*/}}
{{- define "todo-common.probe" -}}
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

{{/*
The fewest pods the workload runs: autoscaling.minReplicas with the
autoscaler, else replicaCount. The disruption budget and the spreading need two.
*/}}
{{- define "todo-common.replicaFloor" -}}
{{- if .Values.autoscaling.enabled }}
{{- .Values.autoscaling.minReplicas | int }}
{{- else }}
{{- .Values.replicaCount | int }}
{{- end }}
{{- end }}
