/**
 * Which action ids a playbook may name in `uses:`. The linter takes a catalog as a parameter so
 * the server can pass its live action registry (with connector actions) while the CLI and tests
 * use the built-in list of spec §7.2.
 */

export interface ActionInfo {
  /** `<connector>.<object>.<verb>@v<N>`, e.g. `jira.issue.create@v1`. */
  id: string
  /** Calls something outside the run (a vendor API, an HTTP endpoint): wants an idempotency key. */
  sideEffects: boolean
  /** Why and what to use instead, when this version should no longer be used. */
  deprecated?: string
  /** The keys its `with:` takes, when known: lint then reports unknown and missing ones. */
  inputs?: readonly { name: string; required: boolean }[]
}

export interface ActionCatalog {
  get(id: string): ActionInfo | undefined
  list(): readonly ActionInfo[]
}

/** A catalog over a fixed list. @throws Error on a duplicate id. */
export function createActionCatalog(entries: readonly ActionInfo[]): ActionCatalog {
  const byId = new Map<string, ActionInfo>()
  for (const e of entries) {
    if (byId.has(e.id)) throw new Error(`action "${e.id}" is listed twice`)
    byId.set(e.id, e)
  }
  return { get: (id) => byId.get(id), list: () => [...byId.values()] }
}

const internal = (id: string): ActionInfo => ({ id, sideEffects: false })
const outbound = (id: string): ActionInfo => ({ id, sideEffects: true })

/** The actions of spec §7.2: run built-ins, then connector actions. */
export const BUILTIN_ACTIONS: readonly ActionInfo[] = [
  internal('run.finish@v1'),
  internal('run.fail@v1'),
  internal('channel.invite@v1'),
  internal('retrospective.create@v1'),
  internal('timeline.add@v1'),
  outbound('http.request@v1'),
  ...['create', 'acknowledge', 'resolve', 'note', 'status_update'].map((v) => outbound(`pagerduty.incident.${v}@v1`)),
  outbound('pagerduty.event.trigger@v1'),
  outbound('pagerduty.event.resolve@v1'),
  outbound('pagerduty.change_event@v1'),
  ...['create', 'comment', 'transition'].map((v) => outbound(`jira.issue.${v}@v1`)),
  internal('jira.search@v1'),
  ...['create', 'comment', 'update'].map((v) => outbound(`github.issue.${v}@v1`)),
  outbound('github.workflow.dispatch@v1'),
  outbound('github.check.create@v1'),
  outbound('github.check.update@v1'),
  outbound('github.status.create@v1'),
  outbound('grafana.annotation.create@v1'),
  outbound('grafana.silence.create@v1'),
  outbound('grafana.silence.expire@v1'),
  outbound('zoom.meeting.create@v1'),
]

export const defaultActionCatalog: ActionCatalog = createActionCatalog(BUILTIN_ACTIONS)

/** `jira.issue.create@v1` → name and version; version undefined when there is no `@vN`. */
export function splitActionId(id: string): { name: string; version?: number } {
  const m = /^(.*)@v(\d+)$/.exec(id)
  return m ? { name: m[1]!, version: Number(m[2]) } : { name: id }
}
