{{/* The Service: the http port, selecting the pods by name + instance only. */}}
{{- define "todo-common.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "todo-common.fullname" . | quote }}
  labels:
    {{- include "todo-common.labels" . | nindent 4 }}
  annotations:
    {{- include "todo-common.annotations" . | nindent 4 }}
    {{- with .Values.service.annotations }}
    {{- toYaml . | nindent 4 }}
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
