{{/* The Service: the http port, selecting the pods by name + instance only. */}}
{{- define "todo-common.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "todo-common.fullname" . | quote }}
  labels:
    {{- include "todo-common.labels" . | nindent 4 }}
  {{- with include "todo-common.metadataAnnotations" (list . "todo-common.annotations" .Values.service.annotations) }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .Values.service.type | quote }}
  ports:
    - name: http
      port: {{ .Values.service.port | int64 }}
      targetPort: {{ .Values.service.port | int64 }}
      protocol: TCP
  selector:
    {{- include "todo-common.selectorLabels" . | nindent 4 }}
{{- end }}
