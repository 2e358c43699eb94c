{{/* Seconds the app takes to stop after SIGTERM (TodoBackendProps.SHUTDOWN_SECONDS), written by scripts/chart_values.py (`make docs`). */}}
{{- define "todo-backend.shutdownSeconds" -}}30{{- end -}}
