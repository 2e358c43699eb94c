{{/*
The Gateway API HTTPRoute (constructs_lib/http_route.py) sending ingress.paths
of httpRoute.host to the Service through the Gateway httpRoute.gatewayName:
one rule, its matches in the order of ingress.paths (Prefix becomes
PathPrefix). It routes beside the Ingress; set ingress.enabled=false to route
through the Gateway alone, as TodoApp does given only http_route.
*/}}
{{- define "todo-common.httpRoute" -}}
{{- if .Values.httpRoute.enabled -}}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {{ include "todo-common.fullname" . | quote }}
  labels:
    {{- include "todo-common.labels" . | nindent 4 }}
  {{- with include "todo-common.metadataAnnotations" (list . "todo-common.annotations" nil) }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
spec:
  parentRefs:
    {{- with .Values.httpRoute }}
    - name: {{ .gatewayName | quote }}
      {{- with .gatewayNamespace }}
      namespace: {{ . | quote }}
      {{- end }}
      {{- with .sectionName }}
      sectionName: {{ . | quote }}
      {{- end }}
    {{- end }}
  hostnames:
    - {{ .Values.httpRoute.host | quote }}
  rules:
    - matches:
        {{- range .Values.ingress.paths }}
        - path:
            type: {{ ternary "Exact" "PathPrefix" (eq .pathType "Exact") | quote }}
            value: {{ .path | quote }}
        {{- end }}
      backendRefs:
        - name: {{ include "todo-common.fullname" . | quote }}
          port: {{ .Values.service.port | int64 }}
{{- end }}
{{- end }}
