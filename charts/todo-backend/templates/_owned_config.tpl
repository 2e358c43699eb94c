{{/* Environment names extraConfig may not set (TodoBackendProps.OWNED_CONFIG), written by scripts/chart_values.py (`make docs`). */}}
{{- define "todo-backend.ownedConfig" -}}{"GUNICORN_CMD_ARGS": "gunicorn runs as the image's CMD and gunicorn.conf.py say, whose graceful timeout the rollout's grace period is measured against"}{{- end -}}
