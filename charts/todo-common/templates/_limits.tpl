{{/*
The limits of the library's checks (constructs_lib/_validation.py, pod_settings.py),
written by scripts/chart_values.py (`make docs`): (include "todo-common.limits" .) | fromJson.
*/}}
{{- define "todo-common.limits" -}}
{"annotationsMaxBytes": 262144, "configMapMaxBytes": 1048576, "dnsSubdomainMax": 253, "imagePathMax": 255, "ipv4Sloppy": "(0*(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}0*(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])", "labelValue": "(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?", "goDurationUnits": {"ns": 1, "us": 1000, "\u00b5s": 1000, "ms": 1000000, "s": 1000000000, "m": 60000000000, "h": 3600000000000}, "goDurationMaxNs": 9223372036854775807, "goDurationAllowed": "must be a Go duration such as '1h' or '15m', at most 2562047h (Go's longest)", "routeOnce": "must list each path once (a Prefix path's trailing '/' matches the same requests)", "gatewayPath": "(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+", "gatewayPathMax": 1024, "gatewayMatchesMax": 64, "gatewayPathAllowed": "must be at most 1024 of the characters a Gateway API path allows (letters, digits, -._~!$&'()*+,;=:@/ and %XX escapes; no '#')", "invalidPathSequences": ["//", "/./", "/../", "%2f", "%2F"], "invalidPathSuffixes": ["/..", "/."], "reservedKeyPrefixes": ["app.kubernetes.io/", "checkov.io/", "checksum/", "cdk8s.io/"], "reservedLabelKeys": ["helm.sh/chart"]}
{{- end -}}
