/**
 * The Alertmanager notification shape that Prometheus Alertmanager (webhook `version: "4"`) and Grafana unified
 * alerting (`version: "1"`, a superset) both send: one group of alerts per delivery, split here into one event per
 * alert. Lives at the top of integrations/ because connectors may not import each other.
 */
import { z } from 'zod'
import type { ParseResult } from './connector.ts'
import type { IntegrationEvent, IntegrationSource, Severity } from './event.ts'
import { decodeJson, isoToMs, validate } from './payload.ts'
import { digestOf } from './signature.ts'

const labelSet = z.record(z.string(), z.string())

export const alertSchema = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1),
})

/** Fields common to both senders; each connector adds its `version` literal and extras. */
export const alertGroupFields = {
  receiver: z.string(),
  status: z.enum(['firing', 'resolved']),
  alerts: z.array(alertSchema),
  groupLabels: labelSet.default({}),
  commonLabels: labelSet.default({}),
  commonAnnotations: labelSet.default({}),
  externalURL: z.string().default(''),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().nonnegative().default(0),
}

export type AlertGroupAlert = z.infer<typeof alertSchema>

export interface AlertGroup {
  receiver: string
  status: 'firing' | 'resolved'
  alerts: AlertGroupAlert[]
  groupLabels: Record<string, string>
  commonLabels: Record<string, string>
  externalURL: string
  groupKey: string
  truncatedAlerts: number
}

/** What a per-alert event carries as `data`: the alert as sent, plus the group it arrived in. */
export type AlertEventData = AlertGroupAlert & {
  groupKey: string
  /** The group's status in this delivery: `firing` while any of its alerts fires. */
  groupStatus: 'firing' | 'resolved'
  groupLabels: Record<string, string>
  commonLabels: Record<string, string>
  receiver: string
  externalURL: string
}

/**
 * The delivery key of a group notification: Alertmanager re-sends the whole group every `repeat_interval`, so a
 * repeat with the same alerts in the same states is a duplicate, and any new fingerprint or status change is not.
 * `startsAt` is part of it because an alert that fires again after resolving keeps its fingerprint (its labels) but
 * starts anew: without it, the second firing would be dropped as a repeat of the first.
 */
export function alertGroupDeliveryKey(group: {
  groupKey: string
  status: string
  alerts: readonly { fingerprint: string; status: string; startsAt?: string }[]
}): string {
  const members = group.alerts.map((a) => `${a.fingerprint}=${a.status}@${a.startsAt ?? ''}`).sort()
  return digestOf(group.groupKey, group.status, ...members)
}

// Built once: a zod schema compiles itself on first use, which costs more than the parse.
const alertGroupKeyFields = z.object({ groupKey: z.string(), status: z.string(), alerts: z.array(z.object({ fingerprint: z.string(), status: z.string(), startsAt: z.string().optional() })) })

/** The dedupe key from raw bytes; a body too broken to read is keyed by its own hash (parse will reject it). */
export function alertGroupDedupeKey(rawBody: Uint8Array): string {
  const decoded = decodeJson(rawBody)
  const parsed = decoded.ok ? alertGroupKeyFields.safeParse(decoded.value) : undefined
  if (parsed?.success) return alertGroupDeliveryKey(parsed.data)
  return digestOf('body', Buffer.from(rawBody).toString('base64'))
}

const SEVERITY_WORDS: Record<string, Severity> = {
  critical: 'critical', page: 'critical', p1: 'critical', sev1: 'critical',
  high: 'high', error: 'high', major: 'high', p2: 'high', sev2: 'high',
  warning: 'warning', warn: 'warning', medium: 'warning', p3: 'warning',
  info: 'info', informational: 'info', low: 'info', none: 'info', p4: 'info',
}

/** The `severity` label mapped to our scale; missing or unknown values count as a warning. */
export function severityFromLabels(labels: Record<string, string>): Severity {
  return SEVERITY_WORDS[(labels['severity'] ?? '').toLowerCase()] ?? 'warning'
}

/**
 * What ties a group's events to one run: the group key, scoped to the connection when it is known (two teams'
 * Alertmanagers can route the same labels into the same key), hashed when it would not fit the run's 512 characters.
 */
export function alertGroupCorrelationKey(groupKey: string, connectionId: string | undefined): string {
  if (!connectionId) return groupKey
  const key = `${connectionId}:${groupKey}`
  return key.length <= 400 ? key : `${connectionId}:${digestOf(groupKey)}`
}

/**
 * One event per alert, correlated by the group key (playbooks spec §9.1: grouping is by groupKey), so the firing alerts
 * of a group start one run and attach to it. A resolved alert whose group still fires is correlated by its own
 * fingerprint instead (connectors spec §6, per-alert): it must not resolve the group's run while the rest still fire;
 * when the whole group resolves, every event carries the group key again and the run sees the resolution. With a
 * connection, event ids are scoped to it too (playbook runs are deduplicated on them).
 */
export function normaliseAlertGroup(source: IntegrationSource, group: AlertGroup, raw: unknown, receivedAt: number, connectionId?: string): IntegrationEvent[] {
  const deliveryKey = alertGroupDeliveryKey(group)
  const groupCorrelation = alertGroupCorrelationKey(group.groupKey, connectionId)
  return group.alerts.map((alert) => {
    const alertname = alert.labels['alertname'] ?? 'alert'
    const summary = alert.annotations['summary']
    const occurredAt = (alert.status === 'resolved' ? isoToMs(alert.endsAt) : undefined) ?? isoToMs(alert.startsAt) ?? receivedAt
    const data: AlertEventData = {
      ...alert,
      groupKey: group.groupKey,
      groupStatus: group.status,
      groupLabels: group.groupLabels,
      commonLabels: group.commonLabels,
      receiver: group.receiver,
      externalURL: group.externalURL,
    }
    return {
      source,
      type: `${source}.alert.${alert.status}`,
      vendorEvent: `alert.${alert.status}`,
      // Derived keys repeat across connections fed by one Alertmanager; a run started from one must not swallow the other's.
      id: connectionId ? `${connectionId}:${deliveryKey}:${alert.fingerprint}` : `${deliveryKey}:${alert.fingerprint}`,
      correlationKey: alert.status === 'resolved' && group.status === 'firing' ? `${groupCorrelation}#${alert.fingerprint}` : groupCorrelation,
      occurredAt,
      title: summary ? `${alertname}: ${summary}` : alertname,
      severity: severityFromLabels(alert.labels),
      status: alert.status,
      ...(alert.generatorURL ? { url: alert.generatorURL } : {}),
      data,
      raw,
    }
  })
}

/** Decodes, validates against the sender's schema and normalises; a notification without alerts is ignored. */
export function parseAlertGroup(source: IntegrationSource, schema: z.ZodType<AlertGroup>, value: unknown, receivedAt: number, connectionId?: string): ParseResult {
  const checked = validate(schema, value)
  if (!checked.ok) return { kind: 'invalid', message: checked.message }
  if (checked.value.alerts.length === 0) return { kind: 'ignored', vendorEvent: `alert.${checked.value.status}`, reason: 'the notification holds no alerts' }
  return { kind: 'events', events: normaliseAlertGroup(source, checked.value, value, receivedAt, connectionId) }
}
