{{/* ingress-nginx settings the app needs on its Ingress, unless ingress.annotations sets them (TodoBackendProps.INGRESS_NGINX_ANNOTATIONS), written by scripts/chart_values.py (`make docs`). */}}
{{- define "todo-backend.ingressNginxAnnotations" -}}{"nginx.ingress.kubernetes.io/proxy-body-size": "64k"}{{- end -}}
