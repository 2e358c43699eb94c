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
  {{- $down := .Values.autoscaling.scaleDownStabilizationSeconds }}
  {{- $up := .Values.autoscaling.scaleUpStabilizationSeconds }}
  {{- if or (not (kindIs "invalid" $down)) (not (kindIs "invalid" $up)) }}
  behavior:
    {{- if not (kindIs "invalid" $down) }}
    scaleDown:
      stabilizationWindowSeconds: {{ $down | int64 }}
    {{- end }}
    {{- if not (kindIs "invalid" $up) }}
    scaleUp:
      stabilizationWindowSeconds: {{ $up | int64 }}
    {{- end }}
  {{- end }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage | int64 }}
{{- end }}
{{- end }}
