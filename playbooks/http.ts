/**
 * The playbooks REST API under /plugins/playbooks/api/v0, shaped after Mattermost Playbooks where
 * it fits: playbooks, runs (list, get, start), the timeline, checklist item states, status
 * updates, status changes and approvals; roles, items, the retrospective and metrics are in
 * run-ops-http.ts. Team members see their team's runs; changing a run takes a member of its
 * channel (or a system admin).
 */
import type { Request, Router } from 'express'
import { z } from 'zod'
import type { RouteModule } from '../core/http/app.ts'
import { requireSession } from '../core/http/context.ts'
import { sendJson, sendOk } from '../core/http/respond.ts'
import { idParam, pagination, parseBody, queryString } from '../core/http/validate.ts'
import { AppError, forbidden } from '../core/errors.ts'
import { newId } from '../core/ids.ts'
import { nowMillis } from '../core/clock.ts'
import type { AuthSession } from '../core/auth/session-types.ts'
import type { ChannelStore } from '../core/channels/store.ts'
import type { UserStore } from '../core/users/store.ts'
import { formatDiagnostic } from './dsl/index.ts'
import type { PlaybookLibrary } from './library.ts'
import { presentRun, type RunEngine } from './engine/service.ts'
import type { RunRow } from './engine/store.ts'
import { commandTrigger } from './engine/trigger.ts'
import { runOpsRoutes } from './run-ops-http.ts'

export interface PlaybookRouteDeps {
  engine: RunEngine
  library: PlaybookLibrary
  channelStore: Pick<ChannelStore, 'getMember'>
  users: Pick<UserStore, 'getById'>
  isTeamMember(teamId: string, userId: string): Promise<boolean>
}

const startBody = z.object({
  playbook_id: z.string().min(1, 'name the playbook'),
  team_id: z.string().regex(/^[a-z0-9]{26}$/, 'expected a team id'),
  name: z.string().max(512).optional(),
  inputs: z.record(z.string(), z.unknown()).default({}),
})
const itemStateBody = z.object({ new_state: z.enum(['open', 'closed', 'skipped']), values: z.record(z.string(), z.unknown()).default({}) })
const statusBody = z.object({ message: z.string().min(1, 'write the update').max(16_000) })
const runStatusBody = z.object({ status: z.enum(['active', 'mitigated', 'resolved', 'finished', 'canceled']) })
const voteBody = z.object({ decision: z.enum(['approved', 'rejected']), comment: z.string().max(4000).default('') })

export function playbookRoutes(deps: PlaybookRouteDeps): RouteModule {
  const { engine, library } = deps

  async function readableRun(session: AuthSession, req: Request): Promise<RunRow> {
    const run = await engine.store.get(idParam(req, 'run_id'))
    if (!run) throw new AppError('app.playbook_run.not_found.app_error', 'Run not found.', 404)
    if (!session.isSystemAdmin && !(await deps.isTeamMember(run.teamId, session.userId))) throw forbidden(`reading run ${run.id}`)
    return run
  }

  async function changeableRun(session: AuthSession, req: Request): Promise<RunRow> {
    const run = await readableRun(session, req)
    const member = run.state.channelId ? await deps.channelStore.getMember(run.state.channelId, session.userId) : null
    if (!session.isSystemAdmin && !member && run.ownerId !== session.userId) throw forbidden(`changing run ${run.id}: join its channel first`)
    return run
  }

  return (router: Router) => {
    router.get('/playbooks', (req, res) => {
      requireSession(req)
      const items = library.list().map((e) => ({
        id: e.name, title: e.playbook.metadata.title ?? e.name, description: e.playbook.metadata.description ?? '', version: e.playbook.metadata.version,
        builtin: e.builtin, triggers: Object.keys(e.playbook.on), problems: e.diagnostics.map(formatDiagnostic),
      }))
      sendJson(res, 200, { total_count: items.length, page_count: 1, has_more: false, items })
    })

    router.post('/runs', async (req, res) => {
      const session = requireSession(req)
      const input = parseBody(startBody, req.body)
      if (!session.isSystemAdmin && !(await deps.isTeamMember(input.team_id, session.userId))) throw forbidden(`starting a run in team ${input.team_id}`)
      const user = await deps.users.getById(session.userId)
      const trigger = commandTrigger({ command: '/api', userId: session.userId, username: user?.username ?? '', email: user?.email ?? '', title: input.name ?? '', args: input.inputs, now: nowMillis(), id: newId() })
      trigger.source = 'manual'
      trigger.type = 'manual'
      const { run } = await engine.start({ playbook: input.playbook_id, teamId: input.team_id, actorId: session.userId, title: input.name, inputs: input.inputs, trigger })
      sendJson(res, 201, presentRun(run))
    })

    router.get('/runs', async (req, res) => {
      const session = requireSession(req)
      const teamId = queryString(req, 'team_id')
      if (!teamId && !session.isSystemAdmin) throw new AppError('api.context.invalid_param.app_error', 'Invalid team_id parameter: name the team.', 400)
      if (teamId && !session.isSystemAdmin && !(await deps.isTeamMember(teamId, session.userId))) throw forbidden(`listing runs of team ${teamId}`)
      const { page, perPage } = pagination(req, 100)
      const statuses = (queryString(req, 'statuses') ?? '').split(',').filter(Boolean)
      const { items, total } = await engine.store.list({ ...(teamId ? { teamId } : {}), statuses, page, perPage })
      sendJson(res, 200, { total_count: total, page_count: Math.ceil(total / perPage), has_more: (page + 1) * perPage < total, items: items.map(presentRun) })
    })

    router.get('/runs/:run_id', async (req, res) => {
      sendJson(res, 200, presentRun(await readableRun(requireSession(req), req)))
    })

    router.get('/runs/:run_id/timeline', async (req, res) => {
      const run = await readableRun(requireSession(req), req)
      const events = await engine.store.timeline(run.id)
      sendJson(res, 200, events.map((e) => ({ id: e.id, create_at: e.at, event_at: e.at, event_type: e.type, summary: e.summary, details: e.details, subject_user_id: e.actorKind === 'user' ? e.actorId : '', creator_user_id: e.actorKind === 'user' ? e.actorId : '', actor_kind: e.actorKind, step_id: e.stepId })))
    })

    router.put('/runs/:run_id/checklists/items/:item_id/state', async (req, res) => {
      const session = requireSession(req)
      const run = await changeableRun(session, req)
      const { new_state, values } = parseBody(itemStateBody, req.body)
      const updated = await engine.setItemState(run.id, String(req.params.item_id), session.userId, new_state, values)
      sendJson(res, 200, presentRun(updated))
    })

    router.post('/runs/:run_id/status', async (req, res) => {
      const session = requireSession(req)
      const run = await changeableRun(session, req)
      const { message } = parseBody(statusBody, req.body)
      await engine.statusUpdate(run.id, session, message)
      sendOk(res)
    })

    router.put('/runs/:run_id/status', async (req, res) => {
      const session = requireSession(req)
      const run = await changeableRun(session, req)
      const { status } = parseBody(runStatusBody, req.body)
      sendJson(res, 200, presentRun(await engine.setStatus(run.id, session, status)))
    })

    router.put('/runs/:run_id/finish', async (req, res) => {
      const session = requireSession(req)
      const run = await changeableRun(session, req)
      sendJson(res, 200, presentRun(await engine.setStatus(run.id, session, 'finished')))
    })

    router.post('/runs/:run_id/approvals/:step_id', async (req, res) => {
      const session = requireSession(req)
      const run = await readableRun(session, req)
      const { decision, comment } = parseBody(voteBody, req.body)
      await engine.vote(run.id, String(req.params.step_id), session.userId, decision, comment)
      sendOk(res)
    })

    runOpsRoutes(router, engine, changeableRun)
  }
}
