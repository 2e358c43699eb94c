{{/*
Two policies select the pods (policies add up): <fullname>-default-deny allows
nothing in or out, <fullname> allows what the app needs: the ingress
controller, the HTTPRoute's Gateway, networkPolicy.ingressFrom and DNS here,
the rest from the chart's networkPolicyIngress and networkPolicyEgress (the
stack's other workload, found by its instance label with todo-common.peer,
and the services outside the cluster). Ports by name (http), as the
constructs write them (constructs_lib/network_policy.py).
*/}}
{{- define "todo-common.networkPolicies" -}}
{{- if .Values.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ printf "%s-default-deny" (include "todo-common.fullname" .) | quote }}
  labels:
    {{- include "todo-common.labels" . | nindent 4 }}
  {{- with include "todo-common.metadataAnnotations" (list . "todo-common.annotations" nil) }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
spec:
  podSelector:
    matchLabels:
      {{- include "todo-common.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "todo-common.fullname" . | quote }}
  labels:
    {{- include "todo-common.labels" . | nindent 4 }}
  {{- with include "todo-common.metadataAnnotations" (list . "todo-common.annotations" nil) }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
spec:
  podSelector:
    matchLabels:
      {{- include "todo-common.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
    # The ingress controller.
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ .Values.networkPolicy.ingressController.namespace | quote }}
          podSelector:
            matchLabels:
              {{- toYaml .Values.networkPolicy.ingressController.podLabels | nindent 14 }}
        {{- with .Values.httpRoute }}
        {{- if .enabled }}
        {{- /* The Gateway's pods: all of its namespace, or in this one, those labelled with its name (GEP-1762). */}}
        {{- $gateway := ternary (dict "namespace" .gatewayNamespace) (dict "podLabels" (dict "gateway.networking.k8s.io/gateway-name" .gatewayName)) (not (empty .gatewayNamespace)) }}
        {{- include "todo-common.networkPeer" $gateway | nindent 8 }}
        {{- end }}
        {{- end }}
        {{- range .Values.networkPolicy.ingressFrom }}
        {{- include "todo-common.networkPeer" . | nindent 8 }}
        {{- end }}
      ports:
        - port: http
          protocol: TCP
    {{- with include "todo-common.part" (list . "networkPolicyIngress") }}
    {{- . | nindent 4 }}
    {{- end }}
  egress:
    # DNS: networkPolicy.dns, the cluster's DNS in kube-system by default.
    - to:
        {{- range .Values.networkPolicy.dns }}
        {{- include "todo-common.networkPeer" . | nindent 8 }}
        {{- end }}
      ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    {{- with include "todo-common.part" (list . "networkPolicyEgress") }}
    {{- . | nindent 4 }}
    {{- end }}
{{- end }}
{{- end }}
