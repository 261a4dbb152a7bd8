/** /commands routes: run a slash command, autocomplete, and the custom command admin API (Mattermost api4/command.go). */
import type { Request, Router } from 'express'
import express from 'express'
import { z } from 'zod'
import { AppError, invalidParam } from '../../errors.ts'
import { requireSession } from '../context.ts'
import { sendJson, sendOk } from '../respond.ts'
import { idParam, parseBody, queryBool, queryString } from '../validate.ts'
import { presentCommand } from '../../present/command.ts'
import { CommandResponseParseError, parseCommandResponse } from '../../commands/integration-call.ts'
import type { CommandService } from '../../commands/service.ts'
import type { CustomCommands } from '../../commands/custom-commands.ts'
import type { RouteModule } from '../app.ts'
import type { ApiDeps } from './deps.ts'

const executeBody = z.object({
  command: z.string(),
  channel_id: z.string().default(''),
  team_id: z.string().optional(),
  root_id: z.string().optional(),
  parent_id: z.string().optional(),
})

const commandBody = z.object({
  id: z.string().optional(),
  team_id: z.string().default(''),
  trigger: z.string().default(''),
  method: z.string().default(''),
  url: z.string().default(''),
  creator_id: z.string().optional(),
  username: z.string().optional(),
  icon_url: z.string().optional(),
  auto_complete: z.boolean().optional(),
  auto_complete_desc: z.string().optional(),
  auto_complete_hint: z.string().optional(),
  display_name: z.string().optional(),
  description: z.string().optional(),
}).loose()

/**
 * Mattermost decodes the body into its struct; anything it cannot use (a field of the wrong type,
 * text PostgreSQL cannot store) is `Invalid <name> parameter.`
 */
function parseAs<S extends z.ZodType>(name: string, schema: S, body: unknown): z.infer<S> {
  try {
    return parseBody(schema, body)
  } catch (err) {
    if (err instanceof AppError) throw invalidParam(name, err.message)
    throw err
  }
}

/** The /api/v4 routes, over the services the composition root built. */
export function commandRoutes(commands: CommandService, customCommands: CustomCommands): RouteModule {
  return (router: Router) => {
    router.post('/commands/execute', async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 200, await commands.execute(session, parseAs('command_args', executeBody, req.body)))
    })

    router.get('/commands', async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 200, await commands.list(session, queryString(req, 'team_id'), queryBool(req, 'custom_only')))
    })

    router.post('/commands', async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 201, presentCommand(await customCommands.create(session, parseAs('command', commandBody, req.body))))
    })

    router.get('/commands/:command_id', async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 200, presentCommand(await customCommands.get(session, idParam(req, 'command_id'))))
    })

    router.put('/commands/:command_id', async (req, res) => {
      const session = requireSession(req)
      const id = idParam(req, 'command_id')
      const body = parseAs('command', commandBody, req.body)
      if (body.id !== id) throw invalidParam('command', 'the id in the body must match the URL')
      sendJson(res, 200, presentCommand(await customCommands.update(session, id, body)))
    })

    router.delete('/commands/:command_id', async (req, res) => {
      const session = requireSession(req)
      await customCommands.delete(session, idParam(req, 'command_id'))
      sendOk(res)
    })

    router.put('/commands/:command_id/regen_token', async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 200, { token: await customCommands.regenerateToken(session, idParam(req, 'command_id')) })
    })

    router.get('/teams/:team_id/commands/autocomplete', async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 200, await commands.listAutocomplete(session, idParam(req, 'team_id')))
    })

    router.get('/teams/:team_id/commands/autocomplete_suggestions', async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 200, await commands.suggestions(session, idParam(req, 'team_id'), queryString(req, 'user_input')))
    })
  }
}

/** `POST /hooks/commands/{id}`: delayed answers through a response URL, without a session (Mattermost web/webhook.go commandWebhook). */
export function commandHookRoutes(commands: CommandService): RouteModule {
  return (router: Router, deps: ApiDeps) => {
    const body = express.text({ type: () => true, limit: deps.config.maxBodyBytes })
    router.post('/hooks/commands/:hook_id', body, async (req: Request, res) => {
      let response
      try {
        const text = typeof req.body === 'string' ? req.body : ''
        // PostgreSQL text cannot hold U+0000 (neither escaped in JSON nor raw).
        if (text.includes('\u0000') || /\\u0000/i.test(text)) throw new CommandResponseParseError('the body contains a NUL character')
        response = parseCommandResponse(req.get('content-type'), text)
      } catch (err) {
        if (!(err instanceof CommandResponseParseError)) throw err
        throw new AppError('web.command_webhook.parse.app_error', 'Unable to parse incoming data.', 400, { detailed: err.message, cause: err })
      }
      await commands.respondLater(String(req.params.hook_id), response)
      res.status(200).setHeader('Content-Type', 'text/plain')
      res.end('ok')
    })
  }
}
