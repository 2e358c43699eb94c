{{/* Scales the Deployment on CPU; the Deployment then writes no replicas. */}}
{{- define "todo-common.hpa" -}}
{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "todo-common.fullname" . | quote }}
  labels:
    {{- include "todo-common.labels" . | nindent 4 }}
  {{- with include "todo-common.metadataAnnotations" (list . "todo-common.annotations" nil) }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "todo-common.fullname" . | quote }}
  minReplicas: {{ .Values.autoscaling.minReplicas | int64 }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas | int64 }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage | int64 }}
{{- end }}
{{- end }}
