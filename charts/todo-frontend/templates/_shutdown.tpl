{{/* Seconds the app takes to stop after SIGTERM (TodoFrontendProps.SHUTDOWN_SECONDS), written by scripts/chart_values.py (`make docs`). */}}
{{- define "todo-frontend.shutdownSeconds" -}}0{{- end -}}
