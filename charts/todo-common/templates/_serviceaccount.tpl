{{/*
The pods' ServiceAccount, with serviceAccount.create: named serviceAccount.name,
else the fullname. Its token is never mounted (the apps call no Kubernetes
API); workload identity reads its annotations.
*/}}
{{- define "todo-common.serviceAccount" -}}
{{- if .Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "todo-common.serviceAccountName" . | quote }}
  labels:
    {{- include "todo-common.labels" . | nindent 4 }}
  {{- with include "todo-common.metadataAnnotations" (list . "todo-common.annotations" .Values.serviceAccount.annotations) }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end }}

{{/* The pods' ServiceAccount name: empty for the namespace's default. */}}
{{- define "todo-common.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- .Values.serviceAccount.name | default (include "todo-common.fullname" .) }}
{{- else }}
{{- .Values.serviceAccount.name }}
{{- end }}
{{- end }}
