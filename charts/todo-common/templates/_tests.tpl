{{/*
`helm test` starts this pod: it succeeds when the Service answers, over HTTP
at the readiness probe's path when the probe is an httpGet, else with a TCP
connect. Hardened like the workload, so it runs under "restricted" too.
*/}}
{{- define "todo-common.testConnection" -}}
{{- $fullname := include "todo-common.fullname" . -}}
{{- $address := printf "%s:%d" $fullname (.Values.service.port | int64) -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ printf "%s-test-connection" $fullname | quote }}
  # Not the workload's labels: the Service selects on name + instance and must
  # not route traffic to this pod.
  labels:
    {{- include "todo-common.testSelectorLabels" . | nindent 4 }}
    app.kubernetes.io/component: test
    app.kubernetes.io/part-of: todo
    app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
    # Checkov exceptions of this one-shot check, with their reasons.
    {{- include "todo-common.testPodAnnotations" . | nindent 4 }}
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  {{- with include "todo-common.podPlacement" . }}
  {{- . | nindent 2 }}
  {{- end }}
  securityContext:
    runAsNonRoot: true
    # busybox's nobody; the image has no non-root USER of its own.
    runAsUser: 65534
    runAsGroup: 65534
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: test-connection
      {{- $repository := .Values.tests.image.repository }}
      {{- with (.Values.global).imageRegistry }}{{ $repository = printf "%s/%s" . $repository }}{{ end }}
      image: {{ printf "%s:%s" $repository .Values.tests.image.tag | quote }}
      imagePullPolicy: {{ .Values.tests.image.pullPolicy | quote }}
      {{- with .Values.readinessProbe.httpGet }}
      command: ["wget", "--spider", "-T", "10", {{ printf "http://%s%s" $address .path | quote }}]
      {{- else }}
      command: ["nc", "-z", "-w", "10", {{ $fullname | quote }}, {{ .Values.service.port | int64 | toString | quote }}]
      {{- end }}
      resources:
        requests:
          cpu: 10m
          memory: 16Mi
        limits:
          cpu: 100m
          memory: 32Mi
      securityContext:
        privileged: false
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop:
            - ALL
{{- end }}

{{/* The test pod's name + instance, which todo-common.testNetworkPolicy lets in. */}}
{{- define "todo-common.testSelectorLabels" -}}
{{- /* "-test" after at most 58 characters: a label value holds 63. */}}
app.kubernetes.io/name: {{ printf "%s-test" (include "todo-common.name" . | trunc 58 | trimSuffix "-") | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end }}

{{/*
With networkPolicy.enabled the workload's pods accept only the ingress
controller and the stack's own components, so `helm test` lets its test pod
in with this policy, created with the test hooks and before the pod. It
stays after the test (before-hook-creation only), harmless: it admits only
the test pod's labels.
*/}}
{{- define "todo-common.testNetworkPolicy" -}}
{{- if .Values.networkPolicy.enabled }}
{{- $fullname := include "todo-common.fullname" . }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ printf "%s-test-connection" $fullname | quote }}
  labels:
    {{- include "todo-common.labels" . | nindent 4 }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-weight: "-1"
    helm.sh/hook-delete-policy: before-hook-creation
    {{- include "todo-common.annotations" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "todo-common.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
  ingress:
    - from:
        - podSelector:
            matchLabels:
              {{- include "todo-common.testSelectorLabels" . | nindent 14 }}
      ports:
        - port: http
          protocol: TCP
{{- end }}
{{- end }}
