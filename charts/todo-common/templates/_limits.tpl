{{/*
The limits of the library's checks (constructs_lib/_validation.py, pod_settings.py),
written by scripts/chart_values.py (`make docs`): (include "todo-common.limits" .) | fromJson.
*/}}
{{- define "todo-common.limits" -}}
{"annotationsMaxBytes": 262144, "configMapMaxBytes": 1048576, "dnsSubdomainMax": 253, "imagePathMax": 255, "ipv4Sloppy": "(0*(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}0*(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])", "gatewayPath": "(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+", "gatewayPathMax": 1024, "gatewayMatchesMax": 64, "gatewayPathAllowed": "must be at most 1024 of the characters a Gateway API path allows (letters, digits, -._~!$&'()*+,;=:@/ and %XX escapes; no '#')", "invalidPathSequences": ["//", "/./", "/../", "%2f", "%2F"], "invalidPathSuffixes": ["/..", "/."], "reservedKeyPrefixes": ["app.kubernetes.io/", "checkov.io/", "checksum/", "cdk8s.io/"], "reservedLabelKeys": ["helm.sh/chart"]}
{{- end -}}
