/**
 * The run operations of the Playbooks REST API (after Mattermost Playbooks'
 * server/api/playbook_runs.go): change the owner or a role holder, assign an item, set its due
 * date, run it, edit, publish or cancel the retrospective, and set metrics. Only members of the
 * run's channel (or system admins) may: `changeableRun` checks, as http.ts does for the rest.
 * Items are addressed as Mattermost does, `/checklists/{n}/item/{n}` from 0, or by step and item id.
 */
import type { Request, RequestHandler, Router } from 'express'
import { z } from 'zod'
import { requireSession } from '../core/http/context.ts'
import { sendJson } from '../core/http/respond.ts'
import { parseBody } from '../core/http/validate.ts'
import type { AuthSession } from '../core/auth/session-types.ts'
import { presentRun, type RunEngine } from './engine/service.ts'
import type { RunRow } from './engine/store.ts'
import { itemAt } from './engine/run-view.ts'

const userId = (message: string) => z.string().regex(/^[a-z0-9]{26}$/, message)
const ownerBody = z.object({ owner_id: userId('expected the new owner\'s user id') })
const roleBody = z.object({ user_id: userId('expected the new holder\'s user id') })
const assigneeBody = z.object({ assignee_id: z.union([userId('expected a user id, or "" to unassign'), z.literal('')]) })
const stateBody = z.object({ new_state: z.enum(['open', 'closed', 'skipped']), values: z.record(z.string(), z.unknown()).default({}) })
const dueDateBody = z.object({ due_date: z.number({ message: 'expected a time in milliseconds since the epoch, or 0 to clear it' }).int().min(0) })
/** Mattermost's `[{metric_config_id, value}]`, or a map of metric id to value. */
const metricList = z.union([
  z.array(z.object({ metric_config_id: z.string().min(1, 'name the metric'), value: z.union([z.number(), z.string(), z.null()]) })),
  z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
])
const retroBody = z.object({ retrospective: z.string().max(64_000), metrics: metricList.optional() })
const publishBody = z.object({ retrospective: z.string().max(64_000).optional(), metrics: metricList.optional() })
const metricsBody = z.object({ metrics: metricList })

function entries(list: z.infer<typeof metricList> | undefined): { id: string; value: unknown }[] | undefined {
  if (list === undefined) return undefined
  return Array.isArray(list) ? list.map((m) => ({ id: m.metric_config_id, value: m.value })) : Object.entries(list).map(([id, value]) => ({ id, value }))
}

export function runOpsRoutes(router: Router, engine: RunEngine, changeableRun: (session: AuthSession, req: Request) => Promise<RunRow>): void {
  const ops = engine.ops
  const actor = (session: AuthSession) => ({ userId: session.userId, isSystemAdmin: session.isSystemAdmin })
  /** A handler for a run the caller may change, answering with the run as changed. */
  const changing = (work: (run: RunRow, session: AuthSession, req: Request) => Promise<RunRow>): RequestHandler => async (req, res) => {
    const session = requireSession(req)
    const run = await changeableRun(session, req)
    sendJson(res, 200, presentRun(await work(run, session, req)))
  }
  const item = (run: RunRow, req: Request) => itemAt(run.state, String(req.params.checklist), String(req.params.item))

  router.post('/runs/:run_id/owner', changing((run, session, req) => ops.changeRole(run.id, actor(session), undefined, parseBody(ownerBody, req.body).owner_id)))
  router.put('/runs/:run_id/roles/:role', changing((run, session, req) => ops.changeRole(run.id, actor(session), String(req.params.role), parseBody(roleBody, req.body).user_id)))

  const itemPath = '/runs/:run_id/checklists/:checklist/item/:item'
  router.put(`${itemPath}/state`, changing((run, session, req) => {
    const body = parseBody(stateBody, req.body)
    return engine.setItemState(run.id, item(run, req).id, session.userId, body.new_state, body.values)
  }))
  router.put(`${itemPath}/assignee`, changing((run, session, req) => ops.setAssignee(run.id, actor(session), item(run, req).id, parseBody(assigneeBody, req.body).assignee_id)))
  router.put(`${itemPath}/duedate`, changing((run, session, req) => ops.setDueDate(run.id, actor(session), item(run, req).id, parseBody(dueDateBody, req.body).due_date)))
  router.post(`${itemPath}/run`, async (req, res) => {
    const session = requireSession(req)
    const run = await changeableRun(session, req)
    const result = await ops.runItem(run.id, session, item(run, req).id)
    sendJson(res, 200, { trigger_id: '', text: result.text, outputs: result.outputs })
  })

  router.get('/runs/:run_id/retrospective', async (req, res) => {
    const run = await changeableRun(requireSession(req), req)
    const { text, state } = await ops.retrospective(run.id)
    sendJson(res, 200, { retrospective: text, retrospective_published_at: state.publishedAt, retrospective_was_canceled: state.canceled })
  })
  // Mattermost uses POST for these; PUT is accepted too.
  const update = changing((run, session, req) => {
    const body = parseBody(retroBody, req.body)
    return ops.updateRetrospective(run.id, actor(session), body.retrospective, entries(body.metrics))
  })
  const publish = changing((run, session, req) => {
    const body = parseBody(publishBody, req.body)
    return ops.publishRetrospective(run.id, actor(session), body.retrospective, entries(body.metrics))
  })
  const cancel = changing((run, session) => ops.cancelRetrospective(run.id, actor(session)))
  router.route('/runs/:run_id/retrospective').post(update).put(update)
  router.route('/runs/:run_id/retrospective/publish').post(publish).put(publish)
  router.route('/runs/:run_id/retrospective/cancel').post(cancel).put(cancel)
  router.post('/runs/:run_id/no-retrospective-button', cancel)

  router.put('/runs/:run_id/metrics', changing((run, session, req) => ops.setMetrics(run.id, actor(session), entries(parseBody(metricsBody, req.body).metrics)!)))
}
