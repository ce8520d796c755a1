{{/*
Names and labels.
*/}}
{{- define "followthrough.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "followthrough.fullname" -}}
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

{{- define "followthrough.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "followthrough.selectorLabels" -}}
app.kubernetes.io/name: {{ include "followthrough.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "followthrough.labels" -}}
helm.sh/chart: {{ include "followthrough.chart" . }}
{{ include "followthrough.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: worker
app.kubernetes.io/part-of: followthrough
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "followthrough.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "followthrough.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "followthrough.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Store: PostgreSQL when a DSN Secret is named, else SQLite on the data volume.
*/}}
{{- define "followthrough.postgresql" -}}
{{- if .Values.store.postgresql.existingSecret }}true{{ end }}
{{- end }}

{{- define "followthrough.sqliteClaimName" -}}
{{- default (printf "%s-data" (include "followthrough.fullname" .)) .Values.store.sqlite.persistence.existingClaim }}
{{- end }}

{{/*
Refuse values that would break the worker. Called from every template that needs it.
*/}}
{{- define "followthrough.validate" -}}
{{- $postgres := include "followthrough.postgresql" . }}
{{- if and (gt (int .Values.replicaCount) 1) (not $postgres) }}
{{- fail (printf "replicaCount is %d but the store is SQLite, which is single-writer: keep replicaCount at 1, or set store.postgresql.existingSecret (a Secret holding the PostgreSQL DSN) so that the replicas elect a leader" (int .Values.replicaCount)) }}
{{- end }}
{{- range .Values.secrets.env }}
{{- if eq (upper .name) "FOLLOWTHROUGH_STORE__DSN" }}
{{- fail "secrets.env must not set FOLLOWTHROUGH_STORE__DSN: use store.postgresql.existingSecret and store.postgresql.dsnKey, which also allow more than one replica" }}
{{- end }}
{{- end }}
{{- if and .Values.secrets.env (not .Values.secrets.existingSecret) }}
{{- fail "secrets.env reads keys from secrets.existingSecret: name the existing Secret" }}
{{- end }}
{{- if and .Values.secrets.mountAsFiles (not .Values.secrets.existingSecret) }}
{{- fail "secrets.mountAsFiles mounts secrets.existingSecret: name the existing Secret" }}
{{- end }}
{{- range $name, $team := .Values.config.teams }}
{{- if and (hasKey $team "name") (ne (toString $team.name) $name) }}
{{- fail (printf "config.teams.%s.name is %q: a team's name is its key, leave name out or make them equal" $name (toString $team.name)) }}
{{- end }}
{{- end }}
{{- end }}
