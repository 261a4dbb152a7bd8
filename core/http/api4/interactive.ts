/** Interactive messages and dialogs (Mattermost api4/integration_action.go): clicks on post actions, opening and submitting dialogs. */
import type { Router } from 'express'
import { z } from 'zod'
import { requireSession } from '../context.ts'
import { sendJson, sendOk } from '../respond.ts'
import { idParam, parseBody } from '../validate.ts'
import type { InteractiveService } from '../../interactive/service.ts'
import type { RouteModule } from '../app.ts'
import { AppError } from '../../errors.ts'

const actionBody = z.object({ selected_option: z.string().optional(), cookie: z.string().optional() }).loose()

const openDialogBody = z.object({
  trigger_id: z.string().default(''),
  url: z.string().default(''),
  dialog: z.record(z.string(), z.unknown()),
}).loose()

const submitDialogBody = z.object({
  url: z.string().default(''),
  callback_id: z.string().default(''),
  state: z.string().default(''),
  channel_id: z.string().default(''),
  team_id: z.string().default(''),
  submission: z.record(z.string(), z.unknown()).default({}),
  cancelled: z.boolean().default(false),
}).loose()

export function interactiveRoutes(interactive: InteractiveService): RouteModule {
  return (router: Router) => {
    router.post('/posts/:post_id/actions/:action_id', async (req, res) => {
      const session = requireSession(req)
      const actionId = String(req.params.action_id)
      if (!/^[A-Za-z0-9]+$/.test(actionId)) throw new AppError('api.context.invalid_url_param.app_error', 'Invalid or missing action_id parameter in request URL.', 400)
      const input = parseBody(actionBody, req.body ?? {})
      const { triggerId, gotoLocation } = await interactive.doPostAction(session, idParam(req, 'post_id'), actionId, input)
      // Mattermost's PostActionAPIResponse; goto_location is what newer clients follow.
      sendJson(res, 200, { status: 'OK', trigger_id: triggerId, goto_location: gotoLocation })
    })

    router.post('/actions/dialogs/open', async (req, res) => {
      requireSession(req)
      const input = parseBody(openDialogBody, req.body)
      await interactive.openDialog(input as never)
      sendOk(res)
    })

    router.post('/actions/dialogs/submit', async (req, res) => {
      const session = requireSession(req)
      const answer = await interactive.submitDialog(session, parseBody(submitDialogBody, req.body))
      // Mattermost marshals its SubmitDialogResponse, whose fields are all omitempty: `{}` when accepted.
      sendJson(res, 200, answer ?? {})
    })

    router.post('/actions/dialogs/lookup', async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 200, await interactive.lookupDialog(session, parseBody(submitDialogBody, req.body)))
    })
  }
}
