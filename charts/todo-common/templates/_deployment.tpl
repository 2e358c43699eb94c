{{/*
The workload's Deployment: the hardened pod the constructs build
(constructs_lib/workload.py), its config from the ConfigMap, the chart's
secretKeys from the Secret secretName, and the production options.
*/}}
{{- define "todo-common.deployment" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "todo-common.fullname" . | quote }}
  labels:
    {{- include "todo-common.labels" . | nindent 4 }}
  {{- with include "todo-common.metadataAnnotations" (list . "todo-common.deploymentAnnotations" nil) }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount | int64 }}
  {{- end }}
  {{- if .Values.zeroDowntimeRollout.enabled }}
  # A new pod must be ready before an old one goes.
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  {{- end }}
  selector:
    matchLabels:
      {{- include "todo-common.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      {{- $checksum := include "todo-common.configChecksum" . }}
      {{- include "todo-common.checkAnnotationsSize" (list . "podAnnotations" (merge (dict "checksum/config" $checksum) (.Values.podAnnotations | default dict))) }}
      annotations:
        # Rolls the pods when the ConfigMap's data changes (envFrom is read at start only).
        checksum/config: {{ $checksum | quote }}
        {{- with .Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      labels:
        {{- /* One map: the chart's own labels win over podLabels (which may not name them), podLabels over commonLabels. */}}
        {{- $labels := include "todo-common.standardLabels" . | fromYaml }}
        {{- toYaml (merge $labels .Values.podLabels .Values.commonLabels) | nindent 8 }}
    spec:
      # The {{ include "todo-common.part" (list . "component") }} never calls the Kubernetes API.
      automountServiceAccountToken: false
      {{- with include "todo-common.serviceAccountName" . }}
      serviceAccountName: {{ . | quote }}
      {{- end }}
      securityContext:
        {{- toYaml .Values.podSecurityContext | nindent 8 }}
      {{- with include "todo-common.podPlacement" . }}
      {{- . | nindent 6 }}
      {{- end }}
      {{- with .Values.priorityClassName }}
      priorityClassName: {{ . | quote }}
      {{- end }}
      {{- if .Values.zeroDowntimeRollout.enabled }}
      terminationGracePeriodSeconds: {{ .Values.zeroDowntimeRollout.terminationGracePeriodSeconds | int64 }}
      {{- end }}
      {{- $spread := and .Values.spreadPods (ge (include "todo-common.replicaFloor" . | int) 2) }}
      {{- if .Values.affinity }}
      affinity:
        {{- toYaml .Values.affinity | nindent 8 }}
      {{- else if $spread }}
      # Soft: replicas stay apart where the cluster allows, and still schedule where it does not.
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    {{- include "todo-common.selectorLabels" . | nindent 20 }}
      {{- end }}
      {{- if $spread }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "todo-common.selectorLabels" . | nindent 14 }}
          # Each revision's pods spread on their own, so a rollout does not skew it.
          matchLabelKeys:
            - pod-template-hash
      {{- end }}
      containers:
        - name: {{ include "todo-common.name" . | quote }}
          {{- $image := printf "%s:%s" (include "todo-common.imageRepository" .) .Values.image.tag }}
          {{- with .Values.image.digest }}{{ $image = printf "%s@%s" $image . }}{{ end }}
          image: {{ $image | quote }}
          imagePullPolicy: {{ include "todo-common.pullPolicy" . | quote }}
          ports:
            - name: http
              containerPort: {{ .Values.service.port | int64 }}
              protocol: TCP
          {{- $secretKeys := include "todo-common.part" (list . "secretKeys") }}
          {{- if or $secretKeys .Values.extraEnvVars }}
          env:
            {{- range $secretKeys | splitList " " | compact }}
            - name: {{ . | quote }}
              valueFrom:
                secretKeyRef:
                  name: {{ $.Values.secretName | quote }}
                  key: {{ . | quote }}
            {{- end }}
            {{- with .Values.extraEnvVars }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- end }}
          envFrom:
            {{- with .Values.extraEnvVarsCM }}
            - configMapRef:
                name: {{ . | quote }}
            {{- end }}
            {{- with .Values.extraEnvVarsSecret }}
            - secretRef:
                name: {{ . | quote }}
            {{- end }}
            # Last: of keys in several sources, the last one's wins, so the chart's settings do.
            - configMapRef:
                name: {{ include "todo-common.configMapName" . | quote }}
          livenessProbe:
            {{- include "todo-common.probe" (list "livenessProbe" .Values.livenessProbe) | nindent 12 }}
          readinessProbe:
            {{- include "todo-common.probe" (list "readinessProbe" .Values.readinessProbe) | nindent 12 }}
          {{- with .Values.startupProbe }}
          startupProbe:
            {{- include "todo-common.probe" (list "startupProbe" .) | nindent 12 }}
          {{- end }}
          {{- with .Values.zeroDowntimeRollout }}
          {{- if .enabled }}
          # Keeps serving while the endpoints and the ingress controller drop the pod.
          lifecycle:
            preStop:
              exec:
                command: ["/bin/sleep", {{ .preStopSeconds | int64 | toString | quote }}]
          {{- end }}
          {{- end }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          {{- if or .Values.writablePaths .Values.extraVolumeMounts }}
          volumeMounts:
            {{- range .Values.writablePaths }}
            - name: {{ .name | quote }}
              mountPath: {{ .mountPath | quote }}
            {{- end }}
            {{- range .Values.extraVolumeMounts }}
            - name: {{ .name | quote }}
              mountPath: {{ .mountPath | quote }}
              {{- /* Read-only unless the value says otherwise, as the constructs' VolumeMount;
                false is the API's default, which the server drops. */}}
              {{- if or (not (kindIs "bool" .readOnly)) .readOnly }}
              readOnly: true
              {{- end }}
              {{- with .subPath }}
              subPath: {{ . | quote }}
              {{- end }}
            {{- end }}
          {{- end }}
      {{- if or .Values.writablePaths .Values.extraVolumes }}
      volumes:
        {{- range .Values.writablePaths }}
        - name: {{ .name | quote }}
          emptyDir:
            sizeLimit: {{ .sizeLimit | quote }}
        {{- end }}
        {{- range .Values.extraVolumes }}
        - name: {{ .name | quote }}
          {{- if .configMap }}
          configMap:
            name: {{ .configMap.name | quote }}
          {{- else if .secret }}
          secret:
            secretName: {{ .secret.secretName | quote }}
          {{- else if .persistentVolumeClaim }}
          persistentVolumeClaim:
            claimName: {{ .persistentVolumeClaim.claimName | quote }}
          {{- else }}
          emptyDir:
            sizeLimit: {{ .emptyDir.sizeLimit | quote }}
          {{- end }}
        {{- end }}
      {{- end }}
{{- end }}

{{/*
Where the pods may run and what they pull with: imagePullSecrets, nodeSelector and
tolerations, for the Deployment's pods and the helm test pod alike.
*/}}
{{- define "todo-common.podPlacement" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . | quote }}
  {{- end }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- range . }}
  {{- /* As the constructs write them (Toleration.to_json): the operator always, the rest when set. */}}
  - operator: {{ .operator | default "Equal" | quote }}
    {{- with .key }}
    key: {{ . | quote }}
    {{- end }}
    {{- with .value }}
    value: {{ . | quote }}
    {{- end }}
    {{- with .effect }}
    effect: {{ . | quote }}
    {{- end }}
    {{- if not (kindIs "invalid" .tolerationSeconds) }}
    tolerationSeconds: {{ .tolerationSeconds | int64 }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end }}
