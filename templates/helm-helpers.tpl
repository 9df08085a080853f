{{/*
cutover: the chart's objects are generated, not templated. Each hook Job is guarded by its phase
switch in values.yaml; rollback.enabled suppresses every forward Job.
*/}}
{{- define "cutover.rollback" -}}
{{- if .Values.rollback.enabled }}true{{ end -}}
{{- end -}}
