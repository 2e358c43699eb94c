{{/*
The Ingress routing ingress.paths of ingress.host to the Service, sorted by
path as the constructs (cdk8s-plus) emit them; todo-common.validate refuses a
path given twice. With ingress.tls.secretName it serves HTTPS for the host;
only the chart whose issuesCertificate part says so (the frontend's, which
routes the host's "/") carries cert-manager's issuer annotation, since two
Ingresses asking for one Secret would race (constructs_lib/ingress.py).
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
    {{- with .Values.ingress.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- with .Values.ingress.tls }}
    {{- if and .secretName .clusterIssuer (include "todo-common.part" (list $ "issuesCertificate")) }}
    cert-manager.io/cluster-issuer: {{ .clusterIssuer | quote }}
    {{- end }}
    {{- end }}
spec:
  {{- with .Values.ingress.className }}
  ingressClassName: {{ . | quote }}
  {{- end }}
  {{- with .Values.ingress.tls.secretName }}
  tls:
    - hosts:
        - {{ $.Values.ingress.host | quote }}
      secretName: {{ . | quote }}
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
