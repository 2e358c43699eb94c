{{/*
Parts of each chart's NOTES.txt, printed after install and upgrade.
*/}}

{{/*
A warning for the latest tag pulled with Always: which build runs then
depends on the moment, so pods can differ and a rollback cannot bring the
previous build back. latest with Never (the image Minikube builds on the
node) gets none; the validation refuses the other ways to pull latest.
*/}}
{{- define "todo-common.notes.rollingTag" -}}
{{- $policy := include "todo-common.pullPolicy" . }}
{{- with .Values.image }}
{{- if and (eq (toString .tag) "latest") (not .digest) (eq $policy "Always") -}}
WARNING: image {{ include "todo-common.imageRepository" $ }}:latest with pullPolicy Always.
Each pod start pulls whatever latest is at that moment, so pods can run
different builds, and a rollback cannot bring the previous one back. Set
image.tag to a release tag (IMAGE_TAG under GitOps); latest is meant for the
image Minikube builds on the node, with pullPolicy Never.
{{- end }}
{{- end }}
{{- end }}

{{/*
How to reach the Service: the Ingress's URL when it is enabled, and the
Service type's own way in (a node port, the load balancer's address, or a
port-forward for a ClusterIP Service without an Ingress). Called with
(list <root context> "<what it serves>"), e.g. (list . "the API").
*/}}
{{- define "todo-common.notes.access" -}}
{{- $root := index . 0 }}
{{- $what := index . 1 }}
{{- $fullname := include "todo-common.fullname" $root }}
{{- $namespace := $root.Release.Namespace }}
{{- $port := $root.Values.service.port | int64 }}
{{- with $root.Values.ingress }}
{{- if .enabled }}

The Ingress serves {{ $what }} at http://{{ .host }}{{ (first .paths).path }}
(add "<ingress IP> {{ .host }}" to /etc/hosts; on Minikube the IP is `minikube ip`).
{{- end }}
{{- end }}
{{- if eq $root.Values.service.type "NodePort" }}

The Service listens on a port of every node:

  NODE_PORT=$(kubectl get service {{ $fullname }} --namespace {{ $namespace }} -o jsonpath='{.spec.ports[0].nodePort}')
  NODE_IP=$(kubectl get nodes -o jsonpath='{.items[0].status.addresses[0].address}')
  echo "http://$NODE_IP:$NODE_PORT"

On Minikube: minikube service {{ $fullname }} --namespace {{ $namespace }} --url
{{- else if eq $root.Values.service.type "LoadBalancer" }}

The Service gets an external address from the cluster's load balancer, which
can take a few minutes (on Minikube, run `minikube tunnel` first):

  kubectl get service {{ $fullname }} --namespace {{ $namespace }} --watch
  SERVICE_ADDRESS=$(kubectl get service {{ $fullname }} --namespace {{ $namespace }} -o jsonpath='{.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}')
  echo "http://$SERVICE_ADDRESS:{{ $port }}"
{{- else if not $root.Values.ingress.enabled }}

Reach {{ $what }} locally:

  kubectl port-forward service/{{ $fullname }} {{ $port }}:{{ $port }} --namespace {{ $namespace }}
{{- end }}
{{- end }}
