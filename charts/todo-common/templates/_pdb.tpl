{{/*
One pod at a time for voluntary evictions (node drains). Below two pods a
budget protects nothing (maxUnavailable 1) or blocks every drain
(minAvailable 1), so it is rendered from two pods on only.
*/}}
{{- define "todo-common.pdb" -}}
{{- if and .Values.podDisruptionBudget.enabled (ge (include "todo-common.replicaFloor" . | int) 2) }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "todo-common.fullname" . | quote }}
  labels:
    {{- include "todo-common.labels" . | nindent 4 }}
  {{- with include "todo-common.metadataAnnotations" (list . "todo-common.annotations" nil) }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      {{- include "todo-common.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}
