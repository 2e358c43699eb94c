{{/* Environment names extraConfig may not set (TodoFrontendProps.OWNED_CONFIG), written by scripts/chart_values.py (`make docs`). */}}
{{- define "todo-frontend.ownedConfig" -}}{"HOSTNAME": "Next.js listens on it: 0.0.0.0, the pod's every address, or the pod is never ready", "NODE_ENV": "the image runs Next.js's production build"}{{- end -}}
