{{/*
The Ingress routing ingress.paths of ingress.host to the Service, sorted by
path as the constructs (cdk8s-plus) emit them; todo-common.validate refuses a
path given twice.
*/}}
{{- define "todo-common.ingress" -}}
{{- if .Values.ingress.enabled -}}
{{- $fullname := include "todo-common.fullname" . -}}
{{- $port := .Values.service.port | int64 -}}
{{- $routes := dict -}}
{{- range .Values.ingress.paths -}}
{{- $_ := set $routes .path . -}}
{{- end -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ $fullname | quote }}
  labels:
    {{- include "todo-common.labels" . | nindent 4 }}
  annotations:
    {{- include "todo-common.annotations" . | nindent 4 }}
spec:
  {{- with .Values.ingress.className }}
  ingressClassName: {{ . | quote }}
  {{- end }}
  rules:
    - host: {{ .Values.ingress.host | quote }}
      http:
        paths:
          {{- range $path := keys $routes | sortAlpha }}
          {{- with get $routes $path }}
          - path: {{ .path | quote }}
            pathType: {{ .pathType | quote }}
            backend:
              service:
                name: {{ $fullname | quote }}
                port:
                  number: {{ $port }}
          {{- end }}
          {{- end }}
{{- end }}
{{- end }}
