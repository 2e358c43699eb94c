{{/* The ConfigMap the pods read with envFrom: the chart's configData. */}}
{{- define "todo-common.configMap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "todo-common.configMapName" . | quote }}
  labels:
    {{- include "todo-common.labels" . | nindent 4 }}
  {{- with include "todo-common.metadataAnnotations" (list . "todo-common.annotations" nil) }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
data:
  {{- include "todo-common.part" (list . "configData") | fromJson | toYaml | nindent 2 }}
{{- end }}
