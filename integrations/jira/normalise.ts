/** Jira webhook body → IntegrationEvent (pure). Correlation: the issue key (playbooks spec §9.1). */
import { z } from 'zod'
import type { ParseResult } from '../connector.ts'
import type { IntegrationEvent, Severity, VendorPerson } from '../event.ts'
import { validate } from '../payload.ts'
import { changelogSchema, commentSchema, envelopeSchema, issueSchema } from './receiver.ts'

const ISSUE_EVENTS: Record<string, string> = {
  'jira:issue_created': 'created',
  'jira:issue_updated': 'updated',
  'jira:issue_deleted': 'deleted',
}

/** Jira's default priority scheme (connectors spec §6); custom names give no severity. */
const PRIORITY_SEVERITY: Record<string, Severity> = {
  highest: 'high',
  high: 'high',
  medium: 'warning',
  low: 'info',
  lowest: 'info',
}

const issueBody = envelopeSchema.extend({ issue: issueSchema, changelog: changelogSchema.optional() })
const commentBody = envelopeSchema.extend({ issue: issueSchema, comment: commentSchema })

function person(u: { accountId?: string | undefined; displayName?: string | undefined; emailAddress?: string | undefined } | null | undefined): VendorPerson | undefined {
  if (!u) return undefined
  const p: VendorPerson = {
    ...(u.accountId ? { vendorId: u.accountId } : {}),
    ...(u.displayName ? { name: u.displayName } : {}),
    ...(u.emailAddress ? { email: u.emailAddress } : {}),
  }
  return Object.keys(p).length > 0 ? p : undefined
}

/** Jira sends the REST `self` link; people want `https://site/browse/KEY`. */
function browseUrl(self: string, key: string): string | undefined {
  try {
    return `${new URL(self).origin}/browse/${key}`
  } catch {
    return undefined
  }
}

function aboutIssue(issue: z.infer<typeof issueSchema>) {
  const severity = PRIORITY_SEVERITY[(issue.fields.priority?.name ?? '').toLowerCase()]
  const assignee = person(issue.fields.assignee)
  const url = browseUrl(issue.self, issue.key)
  return {
    correlationKey: issue.key,
    ...(severity ? { severity } : {}),
    ...(assignee ? { assignee } : {}),
    ...(url ? { url } : {}),
  }
}

export function normaliseJira(body: unknown, deliveryId: string): ParseResult {
  const envelope = validate(envelopeSchema, body)
  if (!envelope.ok) return { kind: 'invalid', message: envelope.message }
  const { webhookEvent, timestamp } = envelope.value
  const actor = person(envelope.value.user)
  const base = { source: 'jira' as const, vendorEvent: webhookEvent, id: deliveryId, occurredAt: timestamp, ...(actor ? { actor } : {}), raw: body }

  const verb = ISSUE_EVENTS[webhookEvent]
  if (verb) {
    const checked = validate(issueBody, body)
    if (!checked.ok) return { kind: 'invalid', message: checked.message }
    const { issue, changelog } = checked.value
    // A status change arrives as jira:issue_updated with a `status` changelog item; playbooks want it by name.
    const transition = verb === 'updated' ? changelog?.items.find((item) => item.field === 'status') : undefined
    const event: IntegrationEvent = {
      ...base,
      type: transition ? 'jira.issue.transitioned' : `jira.issue.${verb}`,
      ...aboutIssue(issue),
      title: `${issue.key}: ${issue.fields.summary}`,
      ...(transition?.toString ? { status: transition.toString } : issue.fields.status ? { status: issue.fields.status.name } : {}),
      data: body,
    }
    return { kind: 'events', events: [event] }
  }

  if (webhookEvent === 'comment_created') {
    const checked = validate(commentBody, body)
    if (!checked.ok) return { kind: 'invalid', message: checked.message }
    const { issue, comment } = checked.value
    const author = person(comment.author)
    const event: IntegrationEvent = {
      ...base,
      ...(author ? { actor: author } : {}),
      type: 'jira.comment.created',
      ...aboutIssue(issue),
      title: `${issue.key}: comment on ${issue.fields.summary}`,
      ...(issue.fields.status ? { status: issue.fields.status.name } : {}),
      data: body,
    }
    return { kind: 'events', events: [event] }
  }

  return { kind: 'ignored', vendorEvent: webhookEvent, reason: `Jira ${webhookEvent} events are not handled` }
}
