{{/*
Helpers of the todo-backend chart. Names, labels and the config data mirror
constructs_lib (workload.py, backend.py), so the chart renders what dist/ holds.
*/}}

{{/* The app.kubernetes.io/name label: the chart name unless overridden. */}}
{{- define "todo-backend.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Object names: the release name when it contains the chart name (so
`helm install todo-backend` gives todo-backend, as in dist/), else
"<release>-<name>". Truncated to 63 characters, the DNS label limit of Services.
*/}}
{{- define "todo-backend.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The helm.sh/chart label: chart name and version. */}}
{{- define "todo-backend.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Helm's recommended labels, the set the constructs emit (recommended_labels). */}}
{{- define "todo-backend.labels" -}}
helm.sh/chart: {{ include "todo-backend.chart" . | quote }}
{{ include "todo-backend.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: backend
app.kubernetes.io/part-of: todo
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
{{- end }}

{{/* Selector labels: name + instance only, since selectors are immutable. */}}
{{- define "todo-backend.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-backend.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end }}

{{/* The ConfigMap's name. */}}
{{- define "todo-backend.configMapName" -}}
{{- printf "%s-config" (include "todo-backend.fullname" .) }}
{{- end }}

{{/* The keys of the external Secret, each read into the env variable of the same name. */}}
{{- define "todo-backend.secretKeys" -}}
DATABASE_URL BETTER_AUTH_SECRET OPENAI_API_KEY
{{- end }}

{{/*
The ConfigMap's data as JSON: the typed settings, then extraConfig (which the
schema keeps off the typed names). Built once: configmap.yaml writes it and
deployment.yaml hashes it. toJson sorts keys and escapes <, >, & as Go does,
which is the canonical form constructs_lib/checksum.py hashes too.
*/}}
{{- define "todo-backend.configData" -}}
{{- $data := dict
  "JWT_ALGORITHM" .Values.config.jwtAlgorithm
  "JWT_EXPIRE_DAYS" (.Values.config.jwtExpireDays | int64 | toString)
  "CORS_ORIGINS" (join "," .Values.config.corsOrigins)
}}
{{- range $key, $value := .Values.extraConfig }}
{{- $_ := set $data $key $value }}
{{- end }}
{{- toJson $data }}
{{- end }}

{{/*
A probe from values without the entries set to null: users switch a default
handler or timing off with null (httpGet: null), which must not reach the
manifest. Called with (list "<values key>" <probe>); one handler only, as the
API requires.
*/}}
{{- define "todo-backend.probe" -}}
{{- $name := index . 0 }}
{{- $probe := dict }}
{{- range $key, $value := index . 1 }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $probe $key $value }}
{{- end }}
{{- end }}
{{- $handlers := keys (pick $probe "httpGet" "tcpSocket" "exec" "grpc") | sortAlpha }}
{{- if gt (len $handlers) 1 }}
{{- fail (printf "%s has handlers %s; keep one and set the others to null" $name (join ", " $handlers)) }}
{{- end }}
{{- toYaml $probe }}
{{- end }}

{{/*
Checkov exceptions the spec needs, as checkov.io/skipN annotations: the same
checks, reasons and order as constructs_lib/policy_exceptions.py, each only
where its check would fail. Checkov splits "<id>=<reason>" at "=", so a reason
holds none. Called with a list of "<id>=<reason>" strings.
*/}}
{{- define "todo-backend.skipAnnotations" -}}
{{- $lines := list }}
{{- range $index, $skip := . }}
{{- $lines = append $lines (printf "checkov.io/skip%d: %s" (add1 $index) ($skip | quote)) }}
{{- end }}
{{- join "\n" $lines }}
{{- end }}

{{/* The exception every object carries: it has no namespace of its own. */}}
{{- define "todo-backend.namespaceSkip" -}}
CKV_K8S_21=no namespace in the manifest; the Argo CD Application or helm --namespace places it (the spec deploys to default)
{{- end }}

{{/* Annotations of the objects other than the Deployment. */}}
{{- define "todo-backend.annotations" -}}
{{- include "todo-backend.skipAnnotations" (list (include "todo-backend.namespaceSkip" .)) }}
{{- end }}

{{/* Annotations of the Deployment: the exceptions its pod template needs. */}}
{{- define "todo-backend.deploymentAnnotations" -}}
{{- $skips := list (include "todo-backend.namespaceSkip" .) }}
{{- /* Kept for any tag, so that a new tag changes only the image field. */}}
{{- $skips = append $skips "CKV_K8S_14=the spec's tag is latest for the images Minikube builds locally; IMAGE_TAG sets a release tag and changes nothing else" }}
{{- $skips = append $skips "CKV_K8S_43=images are referenced by tag, which IMAGE_TAG rolls out under GitOps; locally built images have no registry digest" }}
{{- if ne .Values.image.pullPolicy "Always" }}
{{- $skips = append $skips "CKV_K8S_15=the pull policy is chosen by image_pull_policy; the spec's Never runs Minikube's local images, with no registry to pull from" }}
{{- end }}
{{- if lt (.Values.securityContext.runAsUser | default 0 | int) 10000 }}
{{- $skips = append $skips "CKV_K8S_40=the images run as their own numeric user (the spec's UID 1001), which runAsNonRoot verifies" }}
{{- end }}
{{- $skips = append $skips "CKV_K8S_35=the app reads DATABASE_URL, BETTER_AUTH_SECRET and OPENAI_API_KEY from its environment, referenced from the external Secret and never written here" }}
{{- if not .Values.networkPolicy.enabled }}
{{- $skips = append $skips "CKV2_K8S_6=NetworkPolicies are the network_policy option, off by default: the spec's Minikube runs no CNI that enforces them" }}
{{- end }}
{{- include "todo-backend.skipAnnotations" $skips }}
{{- end }}

{{/*
The fewest pods the workload runs: autoscaling.minReplicas with the
autoscaler, else replicaCount. The disruption budget and the spreading need two.
*/}}
{{- define "todo-backend.replicaFloor" -}}
{{- if .Values.autoscaling.enabled }}
{{- .Values.autoscaling.minReplicas | int }}
{{- else }}
{{- .Values.replicaCount | int }}
{{- end }}
{{- end }}

{{/*
The pods of the stack's other workload, for the NetworkPolicy rules between
the two, by its selector labels: name and instance are both its name when it is
installed as the constructs name it (release name, and nameOverride unless that
is the chart's name). Another Todo stack's pods in the namespace do not match.
Called with that name.
*/}}
{{- define "todo-backend.peer" -}}
- podSelector:
    matchLabels:
      app.kubernetes.io/name: {{ . | quote }}
      app.kubernetes.io/instance: {{ . | quote }}
{{- end }}
