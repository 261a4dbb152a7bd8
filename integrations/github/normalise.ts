/**
 * GitHub webhook body → IntegrationEvent (pure). Correlation keys follow connectors spec §4.1: `<repo>#<number>` for
 * issues and pull requests, `<repo>:<ref>` for pushes, `<repo>:<tag>` for releases, `<repo>:run:<id>` for runs.
 * Payload reference: https://docs.github.com/en/webhooks/webhook-events-and-payloads
 */
import { z } from 'zod'
import type { ParseResult } from '../connector.ts'
import type { IntegrationEvent, VendorPerson } from '../event.ts'
import { isoToMs, validate } from '../payload.ts'

const user = z.looseObject({ login: z.string(), id: z.number() })
const repository = z.looseObject({ full_name: z.string(), html_url: z.string().optional() })
const common = { repository, sender: user.optional() }
const issueLike = z.looseObject({
  number: z.number().int(),
  title: z.string(),
  state: z.string(),
  html_url: z.string(),
  updated_at: z.string().optional(),
  user: user.nullish(),
  assignee: user.nullish(),
})

const schemas = {
  push: z.looseObject({
    ...common,
    ref: z.string(),
    after: z.string(),
    commits: z.array(z.unknown()).default([]),
    compare: z.string().optional(),
    deleted: z.boolean().optional(),
    pusher: z.looseObject({ name: z.string(), email: z.string().nullish() }),
    head_commit: z.looseObject({ timestamp: z.string() }).nullish(),
  }),
  issues: z.looseObject({ ...common, action: z.string(), issue: issueLike }),
  pull_request: z.looseObject({ ...common, action: z.string(), pull_request: issueLike.extend({ merged: z.boolean().nullish() }) }),
  issue_comment: z.looseObject({
    ...common,
    action: z.string(),
    issue: issueLike,
    comment: z.looseObject({ id: z.number(), html_url: z.string(), created_at: z.string(), updated_at: z.string().optional() }),
  }),
  pull_request_review: z.looseObject({
    ...common,
    action: z.string(),
    pull_request: issueLike,
    review: z.looseObject({ id: z.number(), state: z.string(), html_url: z.string(), submitted_at: z.string().nullish() }),
  }),
  workflow_run: z.looseObject({
    ...common,
    action: z.string(),
    workflow_run: z.looseObject({
      id: z.number(),
      name: z.string().nullish(),
      display_title: z.string().optional(),
      run_number: z.number().int(),
      status: z.string().nullish(),
      conclusion: z.string().nullish(),
      html_url: z.string(),
      updated_at: z.string().optional(),
    }),
  }),
  check_run: z.looseObject({
    ...common,
    action: z.string(),
    check_run: z.looseObject({
      id: z.number(),
      name: z.string(),
      status: z.string(),
      conclusion: z.string().nullish(),
      html_url: z.string().nullish(),
      started_at: z.string().nullish(),
      completed_at: z.string().nullish(),
    }),
  }),
  release: z.looseObject({
    ...common,
    action: z.string(),
    release: z.looseObject({
      id: z.number(),
      tag_name: z.string(),
      name: z.string().nullish(),
      html_url: z.string(),
      published_at: z.string().nullish(),
      created_at: z.string().nullish(),
    }),
  }),
}

type HandledEvent = keyof typeof schemas
type Body<E extends HandledEvent> = z.infer<(typeof schemas)[E]>

/** What differs per event; `source`, `id`, `type`, `data` and `raw` are filled in once below. */
type Facts = Pick<IntegrationEvent, 'correlationKey' | 'title'> &
  Partial<Pick<IntegrationEvent, 'status' | 'url' | 'actor' | 'assignee'>> & { at?: string | null | undefined }

function person(u: z.infer<typeof user> | null | undefined): VendorPerson | undefined {
  return u ? { vendorId: String(u.id), name: u.login } : undefined
}

const factsOf: { [E in HandledEvent]: (body: Body<E>) => Facts } = {
  push(b) {
    const branch = b.ref.replace(/^refs\/(heads|tags)\//, '')
    const n = b.commits.length
    return {
      correlationKey: `${b.repository.full_name}:${b.ref}`,
      title: b.deleted ? `${b.repository.full_name}: ${branch} deleted` : `${b.repository.full_name}: ${n} commit${n === 1 ? '' : 's'} pushed to ${branch}`,
      ...(b.compare ? { url: b.compare } : {}),
      actor: { ...(b.sender ? { vendorId: String(b.sender.id) } : {}), name: b.pusher.name, ...(b.pusher.email ? { email: b.pusher.email } : {}) },
      at: b.head_commit?.timestamp,
    }
  },
  issues: (b) => ({
    ...aboutIssue(b.repository.full_name, b.issue),
    status: b.issue.state,
    at: b.issue.updated_at,
    ...withPerson('actor', b.sender),
  }),
  pull_request: (b) => ({
    ...aboutIssue(b.repository.full_name, b.pull_request),
    status: b.pull_request.merged ? 'merged' : b.pull_request.state,
    at: b.pull_request.updated_at,
    ...withPerson('actor', b.sender),
  }),
  issue_comment: (b) => ({
    ...aboutIssue(b.repository.full_name, b.issue),
    title: `${b.repository.full_name}#${b.issue.number}: comment on ${b.issue.title}`,
    url: b.comment.html_url,
    at: b.comment.updated_at ?? b.comment.created_at,
    ...withPerson('actor', b.sender),
  }),
  pull_request_review: (b) => ({
    ...aboutIssue(b.repository.full_name, b.pull_request),
    title: `${b.repository.full_name}#${b.pull_request.number}: review ${b.review.state.toLowerCase().replace(/_/g, ' ')} on ${b.pull_request.title}`,
    status: b.review.state.toLowerCase(),
    url: b.review.html_url,
    at: b.review.submitted_at,
    ...withPerson('actor', b.sender),
  }),
  workflow_run(b) {
    const run = b.workflow_run
    const state = run.conclusion ?? run.status ?? undefined
    return {
      correlationKey: `${b.repository.full_name}:run:${run.id}`,
      title: `${b.repository.full_name}: ${run.name || run.display_title || 'workflow'} #${run.run_number}${state ? ` ${state}` : ''}`,
      ...(state ? { status: state } : {}),
      url: run.html_url,
      at: run.updated_at,
      ...withPerson('actor', b.sender),
    }
  },
  check_run(b) {
    const check = b.check_run
    const state = check.conclusion ?? check.status
    return {
      correlationKey: `${b.repository.full_name}:check_run:${check.id}`,
      title: `${b.repository.full_name}: check ${check.name} ${state}`,
      status: state,
      ...(check.html_url ? { url: check.html_url } : {}),
      at: check.completed_at ?? check.started_at,
      ...withPerson('actor', b.sender),
    }
  },
  release: (b) => ({
    correlationKey: `${b.repository.full_name}:${b.release.tag_name}`,
    title: `${b.repository.full_name}: release ${b.release.name || b.release.tag_name} ${b.action}`,
    status: b.action,
    url: b.release.html_url,
    at: b.release.published_at ?? b.release.created_at,
    ...withPerson('actor', b.sender),
  }),
}

function aboutIssue(repo: string, issue: z.infer<typeof issueLike>): Facts {
  const assignee = person(issue.assignee)
  return {
    correlationKey: `${repo}#${issue.number}`,
    title: `${repo}#${issue.number}: ${issue.title}`,
    url: issue.html_url,
    ...(assignee ? { assignee } : {}),
  }
}

function withPerson(key: 'actor', u: z.infer<typeof user> | undefined): Partial<Facts> {
  const p = person(u)
  return p ? { [key]: p } : {}
}

function isHandled(event: string): event is HandledEvent {
  return Object.hasOwn(schemas, event)
}

/** Normalises one delivery of `X-GitHub-Event: event`; `ping` and events outside our list are ignored, not errors. */
export function normaliseGitHub(event: string, body: unknown, deliveryId: string, receivedAt: number): ParseResult {
  if (event === 'ping') return { kind: 'ignored', vendorEvent: 'ping', reason: 'GitHub pings a new webhook; nothing to do' }
  if (!isHandled(event)) return { kind: 'ignored', vendorEvent: event, reason: `GitHub ${event} events are not handled` }
  const checked = validate(schemas[event], body)
  if (!checked.ok) return { kind: 'invalid', message: checked.message }
  const action = 'action' in checked.value && typeof checked.value.action === 'string' ? checked.value.action : undefined
  const vendorEvent = action ? `${event}.${action}` : event
  const { at, ...facts } = (factsOf[event] as (b: unknown) => Facts)(checked.value)
  const normalised: IntegrationEvent = {
    source: 'github',
    type: `github.${vendorEvent}`,
    vendorEvent,
    id: deliveryId,
    occurredAt: isoToMs(at) ?? receivedAt,
    ...facts,
    data: body,
    raw: body,
  }
  return { kind: 'events', events: [normalised] }
}
