/**
 * The playbook DSL's shape, written once: TypeBox values are JSON Schema, and `Static<>` derives
 * the TypeScript types from them, so `playbook.schema.json` (generated from this file) and the
 * types the linter and engine use cannot drift apart. Shape only: what a schema cannot say well
 * (durations, cron, references, expressions, step dependencies) is checked by `dsl/lint/`.
 */
import { Type, type Static, type TSchema, type TProperties, type ObjectOptions } from '@sinclair/typebox'

/** Every object in the DSL rejects keys it does not know, so a typo is an error, not a silent no-op. */
function Strict<T extends TProperties>(properties: T, options: ObjectOptions = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options })
}

const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema)

const Text = (description: string) => Type.String({ description })
const Duration = (description: string) => Type.String({ description: `${description} (30s, 15m, 2h, 1d, or a \${{ }} expression)` })
/** A `${{ }}` condition; a plain string is read as an expression, a boolean is taken as is. */
const Condition = Type.Union([Type.String(), Type.Boolean()], { description: 'condition: an expression, implicitly inside ${{ }}' })
const Ref = Type.String({ description: 'reference: user:alice, group:qa, team:sre, role:commander, oncall:<schedule>, #channel, or ${{ }}' })
const Refs = Type.Array(Ref)
const Id = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_-]*$', description: 'identifier: letters, digits, _ and -' })
const StringList = Type.Array(Type.String())
/** A value that may also be a `${{ }}` expression evaluating to it. */
const Flag = Type.Union([Type.Boolean(), Type.String()])

const InputType = Type.Union(
  ['string', 'number', 'boolean', 'choice', 'user', 'channel', 'url'].map((t) => Type.Literal(t)),
)
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()])

export const InputSchema = Strict({
  type: InputType,
  description: Opt(Text('shown in forms and /help')),
  required: Opt(Type.Boolean()),
  default: Opt(Scalar),
  options: Opt(Type.Array(Type.Union([Type.String(), Type.Number()]), { minItems: 1 })),
})

const TriggerIf = { if: Opt(Condition) }
const Matchers = Type.Record(Type.String(), Type.String(), { description: 'label: value, or "=~regex"' })

export const TriggersSchema = Strict(
  {
    command: Opt(Strict({ name: Type.String({ pattern: '^/[a-z0-9_-]+$' }), description: Opt(Type.String()), args: Opt(Type.Record(Type.String(), InputSchema)), ...TriggerIf })),
    manual: Opt(Strict({ label: Opt(Type.String()), channels: Opt(Refs), ...TriggerIf })),
    pagerduty: Opt(Strict({ events: StringList, services: Opt(StringList), teams: Opt(StringList), ...TriggerIf })),
    grafana: Opt(Strict({ status: Opt(Type.Union([Type.Literal('firing'), Type.Literal('resolved')])), matchers: Opt(Matchers), folders: Opt(StringList), ...TriggerIf })),
    alertmanager: Opt(Strict({ status: Opt(Type.Union([Type.Literal('firing'), Type.Literal('resolved')])), matchers: Opt(Matchers), receivers: Opt(StringList), ...TriggerIf })),
    github: Opt(Strict({ events: StringList, repos: Opt(StringList), ...TriggerIf })),
    jira: Opt(Strict({ events: StringList, filter: Opt(Strict({ project: Opt(Type.String()), issuetype: Opt(Type.String()), priority: Opt(Type.String()), labels: Opt(StringList), status: Opt(Type.String()) })), ...TriggerIf })),
    schedule: Opt(Strict({ cron: Type.String({ description: '5 fields: minute hour day-of-month month day-of-week' }), timezone: Opt(Type.String({ description: 'IANA time zone; default UTC' })), ...TriggerIf })),
    keyword: Opt(Strict({ patterns: Type.Array(Type.String(), { minItems: 1 }), channels: Opt(Refs), mode: Opt(Type.Union([Type.Literal('start'), Type.Literal('prompt')])), ...TriggerIf })),
    webhook: Opt(Strict({ id: Id, secret: Opt(Type.String()), header: Opt(Type.String()), dedupeHeader: Opt(Type.String()), ...TriggerIf })),
    event: Opt(Strict({ types: Type.Array(Type.String(), { minItems: 1, description: 'core domain events: post.created, channel.created, reaction.added, …' }), channels: Opt(Refs), ...TriggerIf })),
  },
  { minProperties: 1 },
)

/** Either inline text or a template file, for fields rendered with Handlebars. */
const TemplateFile = Strict({ template: Type.String({ description: 'path of a .hbs file, relative to the playbook' }) })
const TextOrFile = Type.Union([Type.String(), TemplateFile])

const RetrySchema = Strict({
  max: Type.Integer({ minimum: 0, maximum: 100, description: 'retries after the first attempt' }),
  backoff: Opt(Type.Union([Type.Literal('fixed'), Type.Literal('exponential')])),
  initial: Opt(Duration('first delay; default 10s')),
  maxDelay: Opt(Duration('longest delay; default 10m')),
  on: Opt(Type.Array(Type.Union([Type.Integer({ minimum: 400, maximum: 599 }), Type.String({ pattern: '^([45]([0-9]{2}|xx)|timeout|network)$' })], { description: '429, 5xx, timeout, network' }))),
})

const ChecklistItemSchema = Strict({
  id: Opt(Id),
  title: Type.String(),
  description: Opt(Type.String()),
  assignee: Opt(Ref),
  due: Opt(Type.String({ description: 'relative duration from the step start, or an ISO 8601 time with offset' })),
  if: Opt(Condition),
  command: Opt(Type.String({ pattern: '^/' })),
  uses: Opt(Type.String()),
  with: Opt(Type.Record(Type.String(), Type.Unknown())),
  requires: Opt(Type.Array(Strict({ name: Id, type: Type.Union(['text', 'url', 'number', 'boolean'].map((t) => Type.Literal(t))), required: Opt(Type.Boolean()) }))),
  autoComplete: Opt(Strict({ keywords: Type.Array(Type.String(), { minItems: 1 }), by: Opt(Refs) })),
})

/** States of a step (spec 7.1); `waiting` is a human step's. */
export const STEP_STATES = ['pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped', 'cancelled', 'timed_out'] as const
/** Statuses of a run (spec 3.2). */
export const RUN_STATUSES = ['active', 'mitigated', 'resolved', 'finished', 'canceled'] as const
const StepState = Type.Union(STEP_STATES.map((s) => Type.Literal(s)))
const RunStatus = Type.Union(RUN_STATUSES.map((s) => Type.Literal(s)))

/**
 * One step. Common keys plus exactly one kind key (`uses`, `message`, …); "exactly one" is a lint
 * rule rather than a `oneOf`, because a `oneOf` failure buries the real mistake under one error per
 * branch.
 */
export const StepSchema = Type.Recursive(
  (Step) =>
    Strict({
      id: Opt(Id),
      name: Opt(Type.String()),
      if: Opt(Condition),
      needs: Opt(Type.Array(Id)),
      with: Opt(Type.Record(Type.String(), Type.Unknown(), { description: 'inputs of a uses or call step' })),
      timeout: Opt(Duration('per attempt; default 5m for uses, none for human steps')),
      retry: Opt(RetrySchema),
      'continue-on-error': Opt(Flag),
      onError: Opt(Type.Array(Step, { description: 'compensation steps run after the final failure' })),
      idempotencyKey: Opt(Type.String({ description: 'default: ${{ run.id }}:<step id>' })),

      uses: Opt(Type.String({ description: '<connector>.<object>.<verb>@v<N>' })),
      message: Opt(Strict({ to: Opt(Ref), text: Opt(Type.String()), template: Opt(Type.String()), attachments: Opt(Type.Array(Type.Unknown())), props: Opt(Type.Record(Type.String(), Type.Unknown())) })),
      status_update: Opt(Strict({ text: Opt(Type.String()), template: Opt(Type.String()), broadcast: Opt(Type.Union([Type.Boolean(), Refs])) })),
      checklist: Opt(Strict({ title: Opt(Type.String()), blocking: Opt(Type.Boolean()), items: Type.Array(ChecklistItemSchema, { minItems: 1 }) })),
      approval: Opt(
        Strict({
          approvers: Type.Array(Ref, { minItems: 1 }),
          quorum: Opt(Type.Integer({ minimum: 1 })),
          preventSelfApproval: Opt(Type.Boolean()),
          timeout: Opt(Duration('how long to wait for the quorum')),
          onTimeout: Opt(Type.Union(['fail', 'escalate', 'approve', 'skip'].map((s) => Type.Literal(s)))),
          escalateTo: Opt(Ref),
          text: Opt(Type.String()),
          template: Opt(Type.String()),
        }),
      ),
      wait: Opt(
        Strict({
          for: Opt(Duration('sleep this long')),
          until: Opt(Condition),
          event: Opt(Strict({ source: Type.String(), type: Type.String(), if: Opt(Condition) })),
          timeout: Opt(Duration('give up after')),
        }),
      ),
      set: Opt(
        Strict({
          properties: Opt(Type.Record(Type.String(), Type.Unknown())),
          status: Opt(RunStatus),
          roles: Opt(Type.Record(Type.String(), Ref)),
          metrics: Opt(Type.Record(Type.String(), Type.Unknown())),
        }),
      ),
      parallel: Opt(Type.Array(Step, { minItems: 1 })),
      call: Opt(Strict({ playbook: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*(@[0-9]+)?$' }) })),
    }),
  { $id: 'step' },
)

const Steps = Type.Array(StepSchema)

export const HOOK_EVENTS = [
  'trigger.correlated', 'property.changed', 'role.changed', 'checklist.completed', 'run.status_changed',
  'run.mitigated', 'run.resolved', 'run.finished', 'run.canceled',
] as const

const RoleSchema = Strict({
  description: Opt(Type.String()),
  from: Opt(Ref),
  fallback: Opt(Ref),
  ask: Opt(Type.Boolean()),
  required: Opt(Type.Boolean()),
  handoff: Opt(Type.Boolean()),
  can: Opt(Type.Array(Type.Union(['approve', 'edit', 'finish', 'status_update'].map((s) => Type.Literal(s))))),
})

const ReminderSchema = Strict({
  id: Id,
  about: Opt(Type.Union([Type.Literal('status'), Type.Literal('overdue')], { description: 'status: ask for a status update; overdue: re-nag assignees of overdue checklist items' })),
  every: Duration('interval, or never'),
  to: Opt(Ref),
  until: Opt(Condition),
  quietHours: Opt(Strict({ from: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }), to: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }), timezone: Type.String(), unless: Opt(Condition) })),
  snooze: Opt(Type.Array(Type.String())),
  text: Opt(Type.String()),
  template: Opt(Type.String()),
})

const TestEvent = Strict({ source: Type.String(), type: Opt(Type.String()), file: Opt(Type.String()), data: Opt(Type.Unknown()), at: Opt(Type.String()) })

const TestSchema = Strict({
  name: Type.String(),
  event: Opt(TestEvent),
  command: Opt(Strict({ name: Type.String(), args: Opt(Type.Record(Type.String(), Type.Unknown())) })),
  events: Opt(Type.Array(TestEvent)),
  answers: Opt(Type.Record(Type.String(), Type.Unknown())),
  people: Opt(
    Type.Record(Type.String({ pattern: '^(group|team|oncall):\\S+$' }), Type.Array(Type.String({ pattern: '^\\S+$' })), {
      description: 'a group:, team: or oncall: reference (e.g. group:sre) mapped to the usernames or emails it names in this test',
      additionalProperties: false,
    }),
  ),
  clock: Opt(Type.String()),
  expect: Strict({
    steps: Opt(Type.Record(Type.String(), StepState)),
    calls: Opt(Type.Array(Strict({ uses: Type.String(), with: Opt(Type.Record(Type.String(), Type.Unknown())) }))),
    messages: Opt(Type.Array(Strict({ to: Opt(Type.String()), matches: Type.String() }))),
    timeline: Opt(StringList),
    status: Opt(RunStatus),
  }),
})

export const PlaybookSchema = Strict({
  $schema: Opt(Type.String({ description: 'editors may point this at playbook.schema.json' })),
  apiVersion: Type.Literal('bridgehead/v1'),
  kind: Type.Literal('Playbook'),
  metadata: Strict({
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 64 }),
    title: Opt(Type.String()),
    description: Opt(Type.String()),
    version: Type.Integer({ minimum: 1 }),
    owners: Opt(Refs),
    labels: Opt(StringList),
  }),
  on: TriggersSchema,
  concurrency: Opt(Strict({ key: Type.String(), onDuplicate: Opt(Type.Union(['attach', 'ignore', 'new'].map((s) => Type.Literal(s)))) })),
  vars: Opt(Type.Record(Type.String(), Scalar)),
  inputs: Opt(Type.Record(Type.String(), InputSchema)),
  properties: Opt(Type.Record(Type.String(), Strict({ ...InputSchema.properties, description: Opt(Type.String()) }))),
  roles: Opt(Type.Record(Type.String(), RoleSchema)),
  channel: Opt(
    Strict({
      mode: Opt(Type.Union([Type.Literal('create'), Type.Literal('existing')])),
      name: Type.String(),
      private: Opt(Type.Boolean()),
      purpose: Opt(Type.String()),
      header: Opt(TextOrFile),
      invite: Opt(Refs),
      broadcast: Opt(Refs),
      pinSummary: Opt(Type.Boolean()),
      archiveOnFinish: Opt(Type.Boolean()),
    }),
  ),
  reminders: Opt(Type.Array(ReminderSchema)),
  steps: Type.Array(StepSchema, { minItems: 1 }),
  hooks: Opt(Strict(Object.fromEntries(HOOK_EVENTS.map((e) => [e, Opt(Steps)])) as Record<(typeof HOOK_EVENTS)[number], ReturnType<typeof Opt<typeof Steps>>>)),
  finally: Opt(Steps),
  retrospective: Opt(Strict({ enabled: Opt(Type.Boolean()), owner: Opt(Ref), text: Opt(Type.String()), template: Opt(Type.String()), reminderEvery: Opt(Duration('nag the owner until published')), publishTo: Opt(Refs) })),
  metrics: Opt(Type.Array(Strict({ id: Id, type: Type.Union(['duration', 'currency', 'integer'].map((s) => Type.Literal(s))), target: Opt(Type.Union([Type.String(), Type.Number()])), description: Opt(Type.String()) }))),
  tests: Opt(Type.Array(TestSchema)),
})

export type Playbook = Static<typeof PlaybookSchema>
export type Step = Static<typeof StepSchema>
export type ChecklistItem = Static<typeof ChecklistItemSchema>
export type Triggers = Static<typeof TriggersSchema>
export type Input = Static<typeof InputSchema>
export type Role = Static<typeof RoleSchema>
export type Reminder = Static<typeof ReminderSchema>
export type Retry = Static<typeof RetrySchema>
export type PlaybookTest = Static<typeof TestSchema>
export type HookEvent = (typeof HOOK_EVENTS)[number]

/** The kind keys of a step; a step has exactly one. */
export const STEP_KINDS = ['uses', 'message', 'status_update', 'checklist', 'approval', 'wait', 'set', 'parallel', 'call'] as const
export type StepKind = (typeof STEP_KINDS)[number]
