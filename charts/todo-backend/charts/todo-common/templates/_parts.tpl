{{/*
What only the application chart knows, from its own _helpers.tpl: the
template "<chart name>.<part>". Every chart using this library defines these
parts (README.md, "What a chart defines"):
  component             the app.kubernetes.io/component label: backend, frontend
  configData            the ConfigMap's data as JSON (also hashed into checksum/config)
  reservedConfig        {name: the value that sets it} as JSON: names extraConfig may not set
  secretKeys            the keys of the Secret secretName read into the environment, space-separated, or nothing
  networkPolicyIngress  the NetworkPolicy's ingress rules besides the ingress controller's, as YAML, or nothing
  networkPolicyEgress   its egress rules besides DNS, as YAML, or nothing
  issuesCertificate     "true" if its Ingress carries ingress.tls.clusterIssuer's annotation, else nothing
Called with (list <root context> "<part>").
*/}}
{{- define "todo-common.part" -}}
{{- $root := index . 0 }}
{{- include (printf "%s.%s" $root.Chart.Name (index . 1)) $root }}
{{- end }}
