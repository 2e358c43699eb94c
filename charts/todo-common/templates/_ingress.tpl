{{/*
The Ingress routing ingress.paths of ingress.host to the Service, sorted by
path as the constructs (cdk8s-plus) emit them; todo-common.validate refuses a
path given twice. With ingress.tls.secretName it serves HTTPS for the host;
only the chart whose issuesCertificate part says so (the frontend's, which
routes the host's "/") carries cert-manager's issuer annotation, since two
Ingresses asking for one Secret would race (constructs_lib/ingress.py).
With ingress.perWorkload false, the chart whose routesStack part says so
(the frontend's) renders the stack's one Ingress, routing ingress.backend's
paths to that Service as well, and the other chart renders none.
With ingress-nginx (className nginx) it carries the chart's
ingressNginxAnnotations part (the backend's request body limit) unless
ingress.annotations sets them.
*/}}
{{- define "todo-common.ingress" -}}
{{- $routesStack := include "todo-common.part" (list . "routesStack") -}}
{{- if and .Values.ingress.enabled (or .Values.ingress.perWorkload $routesStack) -}}
{{- $fullname := include "todo-common.fullname" . -}}
{{- $routes := dict -}}
{{- $matched := dict -}}
{{- range .Values.ingress.paths -}}
{{- $_ := set $routes .path (dict "path" .path "pathType" .pathType "service" $fullname "port" $.Values.service.port) -}}
{{- $_ := set $matched (include "todo-common.matchKey" .) true -}}
{{- end -}}
{{- if not .Values.ingress.perWorkload -}}
{{- with .Values.ingress.backend -}}
{{- $backend := . -}}
{{- range .paths -}}
{{- if hasKey $matched (include "todo-common.matchKey" .) -}}
{{- fail (printf "ingress.backend.paths: got %q; is routed by this Ingress already; route each path once" .path) -}}
{{- end -}}
{{- $_ := set $routes .path (dict "path" .path "pathType" .pathType "service" $backend.name "port" $backend.port) -}}
{{- $_ := set $matched (include "todo-common.matchKey" .) true -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $more := deepCopy (.Values.ingress.annotations | default dict) -}}
{{- if eq .Values.ingress.className "nginx" -}}
{{- $more = merge $more (include "todo-common.part" (list . "ingressNginxAnnotations") | fromJson) -}}
{{- end -}}
{{- with .Values.ingress.tls -}}
{{- if and .secretName .clusterIssuer (include "todo-common.part" (list $ "issuesCertificate")) -}}
{{- $_ := set $more "cert-manager.io/cluster-issuer" .clusterIssuer -}}
{{- end -}}
{{- end }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ $fullname | quote }}
  labels:
    {{- include "todo-common.labels" . | nindent 4 }}
  {{- with include "todo-common.metadataAnnotations" (list . "todo-common.annotations" $more) }}
  annotations:
    {{- . | nindent 4 }}
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
                name: {{ .service | quote }}
                port:
                  number: {{ .port | int64 }}
          {{- end }}
          {{- end }}
{{- end }}
{{- end }}
