{{/* ingress-nginx settings the app needs on its Ingress, unless ingress.annotations sets them (TodoFrontendProps.INGRESS_NGINX_ANNOTATIONS), written by scripts/chart_values.py (`make docs`). */}}
{{- define "todo-frontend.ingressNginxAnnotations" -}}{}{{- end -}}
