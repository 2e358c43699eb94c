{{/*
The rules values.schema.json cannot state (comparisons between values, sums,
names from the release), and those a schema could state only with "not", which
Helm reports as "'not' failed" without saying why (an IP address as host, the
path sequences Kubernetes refuses, non-canonical quantities). Checked once
before anything renders: each chart's deployment.yaml includes its validate
helper, which adds its own workload's rules to todo-common.validate. They
mirror the constructs' validation (constructs_lib/_validation.py) and fail
with the same kind of message: "<value path>: got <value>; <what is allowed>".
*/}}

{{- define "todo-common.validate" -}}
{{- include "todo-common.validateNames" . }}
{{- include "todo-common.validateImage" . }}
{{- include "todo-common.validateProbe" (list "livenessProbe" .Values.livenessProbe .Values.service.port) }}
{{- include "todo-common.validateProbe" (list "readinessProbe" .Values.readinessProbe .Values.service.port) }}
{{- with .Values.startupProbe }}
{{- include "todo-common.validateProbe" (list "startupProbe" . $.Values.service.port) }}
{{- end }}
{{- include "todo-common.validateResources" . }}
{{- include "todo-common.validateConfig" . }}
{{- include "todo-common.validateWritablePaths" . }}
{{- include "todo-common.validateIngress" . }}
{{- include "todo-common.validateAutoscaling" . }}
{{- include "todo-common.validateMetadata" (list "commonLabels" .Values.commonLabels) }}
{{- include "todo-common.validateMetadata" (list "commonAnnotations" .Values.commonAnnotations) }}
{{- include "todo-common.validateMetadata" (list "podLabels" .Values.podLabels) }}
{{- include "todo-common.validateMetadata" (list "nodeSelector" .Values.nodeSelector) }}
{{- include "todo-common.validateMetadata" (list "podAnnotations" .Values.podAnnotations) }}
{{- include "todo-common.validateMetadata" (list "service.annotations" .Values.service.annotations) }}
{{- include "todo-common.validateTolerations" . }}
{{- include "todo-common.validateMetadata" (list "ingress.annotations" .Values.ingress.annotations) }}
{{- include "todo-common.validateIngressTls" . }}
{{- include "todo-common.validateHttpRoute" . }}
{{- include "todo-common.validateNetworkPeers" . }}
{{- include "todo-common.validateMetadata" (list "serviceAccount.annotations" .Values.serviceAccount.annotations) }}
{{- with .Values.serviceAccount }}
{{- if and (not .create) .annotations }}
{{- fail (printf "serviceAccount.annotations: got %s; must be empty when create is False: nothing carries them" (toJson .annotations)) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
A peer's IPv4 CIDR is in canonical form: no host bits set, as Kubernetes'
strict IP validation requires (the schema checks the spelling).
*/}}
{{- define "todo-common.validateNetworkPeers" -}}
{{- range $values := list "ingressFrom" "dns" "egressTo" }}
{{- range $index, $peer := get $.Values.networkPolicy $values | default list }}
{{- with $peer.cidr }}
{{- if not (contains ":" .) }}
{{- $address := 0 }}
{{- range splitList "." (first (splitList "/" .)) }}
{{- $address = add (mul $address 256) (atoi .) }}
{{- end }}
{{- $block := 1 }}
{{- range until (sub 32 (atoi (last (splitList "/" .))) | int) }}
{{- $block = mul $block 2 }}
{{- end }}
{{- if ne (mod $address $block) 0 }}
{{- fail (printf "networkPolicy.%s[%d].cidr: got %q; must be an IPv4 or IPv6 CIDR in canonical form, e.g. '10.20.0.0/16': the network's first address (no host bits set) and a prefix length" $values $index .) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The image's path after its registry, as container runtimes bound it
(distribution/reference): the first component is a registry when it has a
'.' or ':', is localhost or has an uppercase letter; a Docker Hub name of one
component gets "library/" before it.
*/}}
{{- define "todo-common.validateImage" -}}
{{- $repository := include "todo-common.imageRepository" . }}
{{- $first := first (splitList "/" $repository) }}
{{- $registry := "docker.io" }}
{{- $path := $repository }}
{{- if and (contains "/" $repository) (or (contains "." $first) (contains ":" $first) (eq $first "localhost") (ne $first (lower $first))) }}
{{- $registry = $first }}
{{- $path = trimPrefix (printf "%s/" $first) $repository }}
{{- end }}
{{- if and (has $registry (list "docker.io" "index.docker.io")) (not (contains "/" $path)) }}
{{- $path = printf "library/%s" $path }}
{{- end }}
{{- $max := get (include "todo-common.limits" . | fromJson) "imagePathMax" | int }}
{{- if gt (len $path) $max }}
{{- fail (printf "image.repository: got %q; must have at most %d characters after the registry (a Docker Hub name of one component counts the 'library/' the runtimes put before it)" $repository $max) }}
{{- end }}
{{- $floating := and (eq (toString .Values.image.tag) "latest") (not .Values.image.digest) }}
{{- if contains "/" $repository }}
{{- if eq .Values.image.pullPolicy "Never" }}
{{- fail "image.pullPolicy: got \"Never\"; must be IfNotPresent or Always (or left unset) for an image from a registry (a '/' in its name), which Never never pulls: a node without the image fails the pod with ErrImageNeverPull" }}
{{- end }}
{{- if $floating }}
{{- fail "image.tag: got \"latest\"; must be a release tag, or image.digest set, for an image from a registry (a '/' in its name): latest moves, so nodes would run different builds" }}
{{- end }}
{{- end }}
{{- if and $floating (eq .Values.image.pullPolicy "IfNotPresent") }}
{{- fail "image.pullPolicy: got \"IfNotPresent\"; must be Always or Never with image.tag 'latest' and no image.digest: with IfNotPresent each node keeps the build of latest it pulled first" }}
{{- end }}
{{- end }}

{{/*
The pull policy: image.pullPolicy, else Never for a local image (a name
without '/', built on the node as Minikube's are) and IfNotPresent for an
image from a registry.
*/}}
{{- define "todo-common.pullPolicy" -}}
{{- if .Values.image.pullPolicy }}
{{- .Values.image.pullPolicy }}
{{- else }}
{{- ternary "IfNotPresent" "Never" (contains "/" (include "todo-common.imageRepository" .)) }}
{{- end }}
{{- end }}

{{/*
Object names and the version label, which come from the release and
Chart.yaml rather than from values the schema sees.
*/}}
{{- define "todo-common.validateNames" -}}
{{- $fullname := include "todo-common.fullname" . }}
{{- /* The Service is named after it, and Service names are RFC 1035 labels. */}}
{{- if not (regexMatch `^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$` $fullname) }}
{{- fail (printf "fullname: got %q (from the release name or fullnameOverride); must be a DNS label, as it names the Service: 1-63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit" $fullname) }}
{{- end }}
{{- if not (regexMatch `^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])$` .Chart.AppVersion) }}
{{- fail (printf "Chart.yaml appVersion: got %q; must be a Kubernetes label value (app.kubernetes.io/version): up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit" .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
A probe checks the port the app listens on, and gives up before the next
probe starts. Called with (list "<values key>" <probe> <service port>).
*/}}
{{- define "todo-common.validateProbe" -}}
{{- $name := index . 0 }}
{{- $probe := index . 1 }}
{{- $servicePort := index . 2 | int64 }}
{{- range $handler := list "httpGet" "tcpSocket" "grpc" }}
{{- /* A handler switched off with null has no port. */}}
{{- $port := get (get $probe $handler | default dict) "port" }}
{{- /* "http" is the container port's name, i.e. service.port; the schema allows no other name. */}}
{{- if and $port (not (kindIs "string" $port)) (ne ($port | int64) $servicePort) }}
{{- fail (printf "%s.%s.port: got %v; must be service.port (%d) or \"http\", the port the app listens on" $name $handler $port $servicePort) }}
{{- end }}
{{- end }}
{{- /* validateProbe in pkg/apis/core/validation: only a readiness probe may need several successes,
and only liveness and startup probes may shorten the grace period. */}}
{{- if and (ne $name "readinessProbe") (not (kindIs "invalid" $probe.successThreshold)) (ne ($probe.successThreshold | int64) 1) }}
{{- fail (printf "%s.successThreshold: got %d; must be 1 for a liveness or startup probe" $name ($probe.successThreshold | int64)) }}
{{- end }}
{{- if and (eq $name "readinessProbe") (not (kindIs "invalid" $probe.terminationGracePeriodSeconds)) }}
{{- fail (printf "readinessProbe.terminationGracePeriodSeconds: got %v; must not be set on a readiness probe" $probe.terminationGracePeriodSeconds) }}
{{- end }}
{{- with $probe.periodSeconds }}
{{- /* The API's default timeout is 1 s. */}}
{{- $timeout := $probe.timeoutSeconds | default 1 | int64 }}
{{- if ge $timeout (. | int64) }}
{{- fail (printf "%s.timeoutSeconds: got %d; must be below periodSeconds (%d)" $name $timeout (. | int64)) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Quantities: the API server rewrites a quantity into its canonical spelling
(1024Mi into 1Gi), and GitOps tools then see a difference forever; a limit
below its request is refused by the API.
*/}}
{{- define "todo-common.validateResources" -}}
{{- $requests := .Values.resources.requests }}
{{- $limits := .Values.resources.limits }}
{{- $cpuRequest := include "todo-common.millicores" (list "resources.requests.cpu" $requests.cpu) | float64 }}
{{- /* No CPU limit: the pods may use idle CPU beyond their request. */}}
{{- with $limits.cpu }}
{{- $cpuLimit := include "todo-common.millicores" (list "resources.limits.cpu" .) | float64 }}
{{- if lt $cpuLimit $cpuRequest }}
{{- fail (printf "resources.limits.cpu: got %q; must not be below resources.requests.cpu (%q)" . $requests.cpu) }}
{{- end }}
{{- end }}
{{- $memoryRequest := include "todo-common.kibibytes" (list "resources.requests.memory" $requests.memory) | float64 }}
{{- $memoryLimit := include "todo-common.kibibytes" (list "resources.limits.memory" $limits.memory) | float64 }}
{{- if lt $memoryLimit $memoryRequest }}
{{- fail (printf "resources.limits.memory: got %q; must not be below resources.requests.memory (%q)" $limits.memory $requests.memory) }}
{{- end }}
{{- end }}

{{/*
A CPU quantity the schema accepted ("<digits>m" or "<digits>") in millicores,
failing unless it is canonical: the largest suffix that keeps the number whole
(1500m, 2, 3k). Called with (list "<value path>" <quantity>).
*/}}
{{- define "todo-common.millicores" -}}
{{- $field := index . 0 }}
{{- $quantity := index . 1 }}
{{- $millicores := trimSuffix "m" $quantity | float64 }}
{{- if not (hasSuffix "m" $quantity) }}
{{- $millicores = mulf $millicores 1000 }}
{{- end }}
{{- $canonical := printf "%.0fm" $millicores }}
{{- $amount := $millicores }}
{{- range $suffix := list "" "k" "M" "G" "T" "P" "E" }}
{{- if eq (floor (divf $amount 1000)) (divf $amount 1000) }}
{{- $amount = divf $amount 1000 }}
{{- $canonical = printf "%.0f%s" $amount $suffix }}
{{- end }}
{{- end }}
{{- if ne $canonical $quantity }}
{{- fail (printf "%s: got %q; must be written in canonical form: %q" $field $quantity $canonical) }}
{{- end }}
{{- $millicores }}
{{- end }}

{{/*
A memory quantity the schema accepted ("<digits><Ki..Pi>") in Ki, failing
unless it is canonical: a number divisible by 1024 takes the next suffix.
Called with (list "<value path>" <quantity>). Floats are exact here: the
amounts are integers times powers of two.
*/}}
{{- define "todo-common.kibibytes" -}}
{{- $field := index . 0 }}
{{- $quantity := index . 1 }}
{{- $suffixes := list "Ki" "Mi" "Gi" "Ti" "Pi" "Ei" }}
{{- $suffix := regexFind "[KMGTPE]i$" $quantity }}
{{- $number := trimSuffix $suffix $quantity | float64 }}
{{- $exponent := 0 }}
{{- range $index, $each := $suffixes }}
{{- if eq $each $suffix }}
{{- $exponent = $index }}
{{- end }}
{{- end }}
{{- $canonical := $number }}
{{- $canonicalExponent := $exponent }}
{{- range until 5 }}
{{- if and (lt $canonicalExponent 5) (eq (floor (divf $canonical 1024)) (divf $canonical 1024)) }}
{{- $canonical = divf $canonical 1024 }}
{{- $canonicalExponent = add1 $canonicalExponent }}
{{- end }}
{{- end }}
{{- if ne $canonicalExponent $exponent }}
{{- fail (printf "%s: got %q; must be written in canonical form: %q" $field $quantity (printf "%.0f%s" $canonical (index $suffixes $canonicalExponent))) }}
{{- end }}
{{- range until $exponent }}
{{- $number = mulf $number 1024 }}
{{- end }}
{{- $number }}
{{- end }}

{{/*
extraConfig does not set what a typed value sets (the chart's
reservedConfig: the environment would hold it twice, and one would silently
win), and the ConfigMap holds at most 1 MiB of values, counted in bytes as the
API server does.
*/}}
{{- define "todo-common.validateConfig" -}}
{{- $reserved := include "todo-common.part" (list . "reservedConfig") | fromJson }}
{{- range $key, $setter := $reserved }}
{{- if hasKey $.Values.extraConfig $key }}
{{- fail (printf "extraConfig: got %q; is set by %s; set it there instead" $key $setter) }}
{{- end }}
{{- end }}
{{- range $key, $reason := include "todo-common.part" (list . "ownedConfig") | fromJson }}
{{- if hasKey $.Values.extraConfig $key }}
{{- fail (printf "extraConfig: got %q; is set by the library (%s); choose another name" $key $reason) }}
{{- end }}
{{- end }}
{{- range $key, $value := .Values.extraConfig }}
{{- include "todo-common.refuseControlCharacters" (list (printf "extraConfig.%s" $key) $value) }}
{{- end }}
{{- $owned := include "todo-common.part" (list . "ownedConfig") | fromJson }}
{{- $seen := dict }}
{{- range $index, $env := .Values.extraEnvVars }}
{{- $field := printf "extraEnvVars[%d].name" $index }}
{{- if hasKey $seen $env.name }}
{{- fail (printf "%s: got %q; is listed twice; list each name once" $field $env.name) }}
{{- end }}
{{- $_ := set $seen $env.name true }}
{{- if hasKey $reserved $env.name }}
{{- fail (printf "%s: got %q; is set by %s; set it there instead" $field $env.name (get $reserved $env.name)) }}
{{- end }}
{{- if hasKey $owned $env.name }}
{{- fail (printf "%s: got %q; is set by the library (%s); choose another name" $field $env.name (get $owned $env.name)) }}
{{- end }}
{{- if hasKey $.Values.extraConfig $env.name }}
{{- fail (printf "%s: got %q; is in extraConfig too; set it in one of them" $field $env.name) }}
{{- end }}
{{- end }}
{{- $size := 0 }}
{{- range $key, $value := include "todo-common.part" (list . "configData") | fromJson }}
{{- $size = add $size (len $value) }}
{{- end }}
{{- $max := get (include "todo-common.limits" . | fromJson) "configMapMaxBytes" | int64 }}
{{- if gt $size $max }}
{{- fail (printf "extraConfig: got %d bytes of ConfigMap values; the ConfigMap's values must total at most %d bytes" $size $max) }}
{{- end }}
{{- end }}

{{/*
The emptyDir volumes: a canonical sizeLimit, and a mountPath without control
characters.
*/}}
{{- define "todo-common.validateWritablePaths" -}}
{{- $libraryNames := list }}
{{- $libraryPaths := list }}
{{- range $index, $path := .Values.writablePaths }}
{{- $_ := include "todo-common.kibibytes" (list (printf "writablePaths[%d].sizeLimit" $index) $path.sizeLimit) }}
{{- include "todo-common.refuseControlCharacters" (list (printf "writablePaths[%d].mountPath" $index) $path.mountPath) }}
{{- $libraryNames = append $libraryNames $path.name }}
{{- $libraryPaths = append $libraryPaths (trimSuffix "/" $path.mountPath) }}
{{- end }}
{{- /* The extra volumes: named apart from the library's, each mounted, each path once. */}}
{{- $names := dict }}
{{- range $index, $volume := .Values.extraVolumes }}
{{- $field := printf "extraVolumes[%d]" $index }}
{{- if or (hasKey $names $volume.name) (has $volume.name $libraryNames) }}
{{- fail (printf "%s.name: got %q; names another volume of the pod (the library's: %s); choose another name" $field $volume.name ($libraryNames | sortAlpha | join ", ")) }}
{{- end }}
{{- $_ := set $names $volume.name true }}
{{- with $volume.emptyDir }}
{{- $_ := include "todo-common.kibibytes" (list (printf "%s.emptyDir.sizeLimit" $field) .sizeLimit) }}
{{- end }}
{{- end }}
{{- $paths := $libraryPaths }}
{{- $mounted := dict }}
{{- range $index, $mount := .Values.extraVolumeMounts }}
{{- $field := printf "extraVolumeMounts[%d]" $index }}
{{- if not (hasKey $names $mount.name) }}
{{- fail (printf "%s.name: got %q; must name one of extraVolumes" $field $mount.name) }}
{{- end }}
{{- $_ := set $mounted $mount.name true }}
{{- if or (eq $mount.mountPath "/") (regexMatch "(^|/)[.][.](/|$)" $mount.mountPath) }}
{{- fail (printf "%s.mountPath: got %q; must be an absolute path other than '/', without '..' steps or control characters" $field $mount.mountPath) }}
{{- end }}
{{- if and $mount.subPath (or (hasPrefix "/" $mount.subPath) (regexMatch "(^|/)[.][.](/|$)" $mount.subPath)) }}
{{- fail (printf "%s.subPath: got %q; must be a relative path without '..' steps or control characters" $field $mount.subPath) }}
{{- end }}
{{- if has (trimSuffix "/" $mount.mountPath) $paths }}
{{- fail (printf "%s.mountPath: got %q; is mounted already (the library's: %s); mount each path once" $field $mount.mountPath ($libraryPaths | sortAlpha | join ", ")) }}
{{- end }}
{{- $paths = append $paths (trimSuffix "/" $mount.mountPath) }}
{{- end }}
{{- $unmounted := list }}
{{- range $name, $_ := $names }}{{ if not (hasKey $mounted $name) }}{{ $unmounted = append $unmounted $name }}{{ end }}{{ end }}
{{- with $unmounted }}
{{- fail (printf "extraVolumes: got %s; each volume must be mounted by extraVolumeMounts" (toJson .)) }}
{{- end }}
{{- end }}

{{/*
Free text, whose schema pattern already refuses control characters: Helm 3
validates a copy of the values in which U+0085 (a line break to YAML 1.1) has
become a space, and toYaml then writes the value with a space in its place.
Checked on the value itself. Called with (list "<value path>" <text>).
*/}}
{{- define "todo-common.refuseControlCharacters" -}}
{{- if regexMatch `[\x00-\x1f\x7f-\x9f]` (index . 1) }}
{{- fail (printf "%s: got %q; must not contain control characters (newlines, tabs, U+0085)" (index . 0) (index . 1)) }}
{{- end }}
{{- end }}

{{/*
What Kubernetes refuses in an Ingress (pkg/apis/networking/validation) beyond
the schema's shapes: an IP address as host, and in Exact and Prefix paths the
sequences that could step out of the routed prefix. Checked for every
pathType, as the constructs check every path they emit.
*/}}
{{- define "todo-common.validateIngress" -}}
{{- $limits := include "todo-common.limits" . | fromJson }}
{{- /* As Kubernetes reads a host (ParseIPSloppy): leading zeros make no DNS name of 010.0.0.1. */}}
{{- if regexMatch (printf "^%s$" $limits.ipv4Sloppy) .Values.ingress.host }}
{{- fail (printf "ingress.host: got %q; must be a DNS name, not an IP address" .Values.ingress.host) }}
{{- end }}
{{- $seen := dict }}
{{- range $index, $route := .Values.ingress.paths }}
{{- $field := printf "ingress.paths[%d].path" $index }}
{{- range $sequence := get $limits "invalidPathSequences" }}
{{- if contains $sequence $route.path }}
{{- fail (printf "%s: got %q; must not contain %q" $field $route.path $sequence) }}
{{- end }}
{{- end }}
{{- range $suffix := get $limits "invalidPathSuffixes" }}
{{- if hasSuffix $suffix $route.path }}
{{- fail (printf "%s: got %q; must not end with %q" $field $route.path $suffix) }}
{{- end }}
{{- end }}
{{- $key := include "todo-common.matchKey" $route }}
{{- if hasKey $seen $key }}
{{- fail (printf "%s: got %q; %s" $field $route.path $limits.routeOnce) }}
{{- end }}
{{- $_ := set $seen $key true }}
{{- end }}
{{- end }}

{{/* The autoscaler's bounds. */}}
{{- define "todo-common.validateAutoscaling" -}}
{{- with .Values.autoscaling }}
{{- if and .enabled (lt (.maxReplicas | int64) (.minReplicas | int64)) }}
{{- fail (printf "autoscaling.maxReplicas: got %d; must be at least autoscaling.minReplicas (%d)" (.maxReplicas | int64) (.minReplicas | int64)) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
A zero-downtime rollout's grace period outlasts the preStop pause plus the
app's own graceful shutdown (constructs_lib/rollout.py). Called with
(list .Values.zeroDowntimeRollout "<the app's shutdown seconds>").
*/}}
{{- define "todo-common.validateGracePeriod" -}}
{{- $rollout := index . 0 }}
{{- $shutdown := index . 1 | int64 }}
{{- $needed := add $rollout.preStopSeconds $shutdown | int64 }}
{{- if and $rollout.enabled (le ($rollout.terminationGracePeriodSeconds | int64) $needed) }}
{{- fail (printf "zeroDowntimeRollout.terminationGracePeriodSeconds: got %d; must exceed preStopSeconds + the app's graceful shutdown (%d + %d = %d)" ($rollout.terminationGracePeriodSeconds | int64) ($rollout.preStopSeconds | int64) $shutdown $needed) }}
{{- end }}
{{- end }}

{{/*
Labels and annotations a user adds (constructs_lib/pod_settings.py,
check_metadata_map): no key the library writes itself, whose value would
overwrite it or be overwritten, and a key prefix of at most 253 characters;
annotations total at most 256 KiB (ValidateAnnotationsSize). Called with
(list "<value path>" <map>).
*/}}
{{- define "todo-common.validateMetadata" -}}
{{- $field := index . 0 }}
{{- $limits := include "todo-common.limits" . | fromJson }}
{{- $reserved := get $limits "reservedKeyPrefixes" }}
{{- $prefixMax := get $limits "dnsSubdomainMax" | int }}
{{- $annotationsMax := get $limits "annotationsMaxBytes" | int }}
{{- $size := 0 }}
{{- range $key, $value := index . 1 }}
{{- range $reserved }}
{{- if hasPrefix . $key }}
{{- fail (printf "%s: got %q; is written by the library; keys may not start with %s" $field $key (join ", " $reserved)) }}
{{- end }}
{{- end }}
{{- if and (not (hasSuffix "nnotations" $field)) (has $key (get $limits "reservedLabelKeys")) }}
{{- fail (printf "%s: got %q; is a label the chart writes; choose another key" $field $key) }}
{{- end }}
{{- if and (hasSuffix "nnotations" $field) (has $key (get $limits "hookAnnotationKeys")) }}
{{- fail (printf "%s: got %q; %s" $field $key (get $limits "hookAnnotationAllowed")) }}
{{- end }}
{{- if gt (len (regexReplaceAll "/[^/]*$" $key "")) $prefixMax }}
{{- fail (printf "%s: got %q; the key's prefix must be a DNS subdomain of at most %d characters" $field $key $prefixMax) }}
{{- end }}
{{- include "todo-common.refuseControlCharacters" (list (printf "%s.%s" $field $key) $value) }}
{{- $size = add $size (len $key) (len $value) }}
{{- end }}
{{- if and (hasSuffix "nnotations" $field) (gt $size $annotationsMax) }}
{{- fail (printf "%s: got %d bytes of keys and values; must total at most %d bytes" $field $size $annotationsMax) }}
{{- end }}
{{- end }}

{{/*
What the schema cannot say about a toleration (validateTolerations in
pkg/apis/core/validation, Toleration.validate in the constructs): an empty
key only with Exists, no value with Exists, tolerationSeconds only with NoExecute.
*/}}
{{- define "todo-common.validateTolerations" -}}
{{- range $index, $toleration := .Values.tolerations }}
{{- $operator := $toleration.operator | default "Equal" }}
{{- if and (not $toleration.key) (ne $operator "Exists") }}
{{- fail (printf "tolerations[%d].key: got \"\"; may be empty only with operator Exists" $index) }}
{{- end }}
{{- if and (eq $operator "Exists") $toleration.value }}
{{- fail (printf "tolerations[%d].value: got %q; must be empty with operator Exists" $index $toleration.value) }}
{{- end }}
{{- if and (not (kindIs "invalid" $toleration.tolerationSeconds)) (ne ($toleration.effect | default "") "NoExecute") }}
{{- fail (printf "tolerations[%d].tolerationSeconds: got %v; is allowed only with effect NoExecute" $index $toleration.tolerationSeconds) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The Ingress's TLS (IngressTls in constructs_lib/ingress.py): an issuer needs
the Secret it writes, and sets cert-manager's annotation itself.
*/}}
{{- define "todo-common.validateIngressTls" -}}
{{- with .Values.ingress.tls }}
{{- if and .clusterIssuer (not .secretName) }}
{{- fail (printf "ingress.tls.clusterIssuer: got %q; needs ingress.tls.secretName, the Secret cert-manager writes the certificate to" .clusterIssuer) }}
{{- end }}
{{- if and .clusterIssuer (hasKey $.Values.ingress.annotations "cert-manager.io/cluster-issuer") }}
{{- fail (printf "ingress.annotations: got %q; is set by ingress.tls.clusterIssuer" "cert-manager.io/cluster-issuer") }}
{{- end }}
{{- /* The backend's settings and the certificate are two Secrets when anything writes either (TodoApp's _check_tls_secret). */}}
{{- if and $.Values.ingress.enabled .secretName (eq .secretName (toString ($.Values.secretName | default ""))) }}
{{- $writers := list }}
{{- if and $.Values.externalSecret $.Values.externalSecret.enabled }}{{ $writers = append $writers "the External Secrets Operator" }}{{ end }}
{{- if .clusterIssuer }}{{ $writers = append $writers "cert-manager" }}{{ end }}
{{- with $writers }}
{{- fail (printf "ingress.tls.secretName: got %q; is the backend's secretName too, which %s would write over; give the certificate its own Secret" $.Values.secretName (join " and " .)) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The HTTPRoute (TodoHttpRouteProps): a Gateway to attach to, a DNS name as
host, and only the path types Gateway API has (Exact, and Prefix as PathPrefix).
*/}}
{{- define "todo-common.validateHttpRoute" -}}
{{- with .Values.httpRoute }}
{{- if .enabled }}
{{- if not .gatewayName }}
{{- fail "httpRoute.gatewayName: got \"\"; must name the Gateway the route attaches to (a lowercase DNS name)" }}
{{- end }}
{{- $limits := include "todo-common.limits" $ | fromJson }}
{{- if regexMatch (printf "^%s$" $limits.ipv4Sloppy) .host }}
{{- fail (printf "httpRoute.host: got %q; must be a DNS name, not an IP address" .host) }}
{{- end }}
{{- if gt (len $.Values.ingress.paths) ($limits.gatewayMatchesMax | int) }}
{{- fail (printf "ingress.paths: got \"<%d paths>\"; must be at most %d paths for an HTTPRoute" (len $.Values.ingress.paths) ($limits.gatewayMatchesMax | int)) }}
{{- end }}
{{- range $index, $route := $.Values.ingress.paths }}
{{- if or (gt (len $route.path) ($limits.gatewayPathMax | int)) (not (regexMatch (printf "^%s$" $limits.gatewayPath) $route.path)) }}
{{- fail (printf "ingress.paths[%d].path: got %q; %s" $index $route.path $limits.gatewayPathAllowed) }}
{{- end }}
{{- if not (has $route.pathType (list "Exact" "Prefix")) }}
{{- fail (printf "ingress.paths[%d].pathType: got %q; must be Exact or Prefix with httpRoute.enabled (Gateway API has no %s)" $index $route.pathType $route.pathType) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
A Go duration's length: time.ParseDuration holds it in an int64 of nanoseconds, so
"2562048h" overflows (the schema checks the syntax). Summed in float64, which is
exact enough this far from the limit's last digits.
*/}}
{{- define "todo-common.validateGoDuration" -}}
{{- $field := index . 0 }}
{{- $value := index . 1 | toString }}
{{- $limits := include "todo-common.limits" . | fromJson }}
{{- $total := 0.0 }}
{{- range regexFindAll "[0-9]+(ns|us|µs|ms|s|m|h)" $value -1 }}
{{- $unit := regexFind "(ns|us|µs|ms|s|m|h)$" . }}
{{- $total = addf $total (mulf (trimSuffix $unit . | float64) (get $limits.goDurationUnits $unit | float64)) }}
{{- end }}
{{- if gt $total ($limits.goDurationMaxNs | float64) }}
{{- fail (printf "%s: got %q; %s" $field $value $limits.goDurationAllowed) }}
{{- end }}
{{- end }}

{{/*
What an Ingress path matches (IngressPath.match_key): a Prefix path's trailing "/"
changes nothing, so /api/ is routed twice beside /api.
*/}}
{{- define "todo-common.matchKey" -}}
{{- if eq .pathType "Prefix" }}{{ trimSuffix "/" .path | default "/" }}{{ else }}{{ .path }}{{ end }}
{{- end }}

{{/*
The image's repository with its registry: global.imageRegistry, else image.registry, put
before image.repository (Bitnami's common.images.image); neither: the repository as written.
*/}}
{{- define "todo-common.imageRepository" -}}
{{- $registry := (.Values.global).imageRegistry | default .Values.image.registry -}}
{{- if $registry }}{{ printf "%s/%s" $registry .Values.image.repository }}{{ else }}{{ .Values.image.repository }}{{ end }}
{{- end }}
