/**
 * The actions core registers: chat operations a playbook or command calls by id. Each runs as the
 * caller's session, so core's own permission checks apply (a playbook bot can only post where it
 * is a member, like any user).
 */
import { z } from 'zod'
import type { ChannelService } from '../channels/service.ts'
import type { PostService } from '../posts/service.ts'
import type { ReactionService } from '../reactions/service.ts'
import type { UserStore } from '../users/store.ts'
import type { OutboundClient } from '../outbound/client.ts'
import { OutboundError } from '../outbound/client.ts'
import { ActionError, type ActionDefinition, type ActionRegistry } from './registry.ts'
import { userByRef } from '../users/by-ref.ts'
import { parseJson } from '../well-formed.ts'

export interface CoreActionDeps {
  channels: Pick<ChannelService, 'create' | 'patch' | 'archive' | 'addMember'>
  posts: Pick<PostService, 'create'>
  reactions: Pick<ReactionService, 'save'>
  users: Pick<UserStore, 'getById' | 'getByUsername' | 'getByEmail'>
  /** Runs a slash command as the session's user; returns its ephemeral text, if any. */
  runCommand(session: Parameters<ActionDefinition['run']>[1]['session'], input: { command: string; channel_id: string; team_id?: string; root_id?: string }): Promise<Record<string, unknown>>
  outbound: OutboundClient
}

const id26 = z.string().regex(/^[a-z0-9]{26}$/, 'expected a 26-character id')

function define<I, O extends Record<string, unknown>>(action: ActionDefinition<I, O>): ActionDefinition<I, O> {
  return { source: 'core', ...action }
}

/** A user named by id, `@username`, username or email. */
async function resolveUser(users: CoreActionDeps['users'], ref: string): Promise<string> {
  const user = await userByRef(users, ref)
  if (!user || user.deleteAt !== 0) throw new ActionError(`no active user "${ref}"`, { retryable: false })
  return user.id
}

export function coreActions(deps: CoreActionDeps): ActionDefinition[] {
  return [
    define({
      id: 'post.create@v1',
      description: 'Posts a message in a channel (or a thread) as the acting user',
      input: z
        .object({ channel_id: id26, message: z.string().default(''), root_id: id26.optional(), props: z.record(z.string(), z.unknown()).optional() })
        .refine((v) => v.message !== '' || Array.isArray(v.props?.attachments), { message: 'must not be empty (unless props.attachments has the content)', path: ['message'] }),
      outputs: ['postId'],
      sideEffect: true,
      async run(input, ctx) {
        const created = await deps.posts.create(ctx.session, { channel_id: input.channel_id, message: input.message, root_id: input.root_id ?? '', props: input.props ?? {} })
        return { postId: created.post.id }
      },
    }),
    define({
      id: 'channel.create@v1',
      description: 'Creates a public (O) or private (P) channel in a team',
      input: z.object({
        team_id: id26, name: z.string().min(1), display_name: z.string().min(1), type: z.enum(['O', 'P']).default('O'),
        header: z.string().optional(), purpose: z.string().optional(),
      }),
      outputs: ['channelId', 'name'],
      sideEffect: true,
      async run(input, ctx) {
        const channel = await deps.channels.create(ctx.session, input)
        return { channelId: channel.id, name: channel.name }
      },
    }),
    define({
      id: 'channel.invite@v1',
      description: 'Adds users (ids, @usernames or emails) to a channel; members already in it are kept',
      input: z.object({ channel_id: id26, users: z.array(z.string().min(1)).min(1, 'name at least one user') }),
      outputs: ['added'],
      sideEffect: true,
      async run(input, ctx) {
        const added: string[] = []
        for (const ref of input.users) {
          const userId = await resolveUser(deps.users, ref)
          await deps.channels.addMember(ctx.session, input.channel_id, userId)
          added.push(userId)
        }
        return { added }
      },
    }),
    define({
      id: 'channel.set_header@v1',
      description: "Sets a channel's header",
      input: z.object({ channel_id: id26, header: z.string() }),
      outputs: [],
      sideEffect: true,
      async run(input, ctx) {
        await deps.channels.patch(ctx.session, input.channel_id, { header: input.header })
        return {}
      },
    }),
    define({
      id: 'channel.archive@v1',
      description: 'Archives a channel',
      input: z.object({ channel_id: id26 }),
      outputs: [],
      sideEffect: true,
      async run(input, ctx) {
        await deps.channels.archive(ctx.session, input.channel_id)
        return {}
      },
    }),
    define({
      id: 'reaction.add@v1',
      description: 'Adds an emoji reaction to a post as the acting user',
      input: z.object({ post_id: id26, emoji_name: z.string().regex(/^[a-z0-9_+-]{1,64}$/, 'expected an emoji name such as white_check_mark') }),
      outputs: [],
      sideEffect: true,
      async run(input, ctx) {
        await deps.reactions.save(ctx.session, { user_id: ctx.session.userId, post_id: input.post_id, emoji_name: input.emoji_name })
        return {}
      },
    }),
    define({
      id: 'command.run@v1',
      description: 'Runs a slash command in a channel as the acting user',
      input: z.object({ channel_id: id26, team_id: id26.optional(), command: z.string().regex(/^\//, 'must start with /'), root_id: id26.optional() }),
      outputs: ['text'],
      sideEffect: true,
      async run(input, ctx) {
        const response = await deps.runCommand(ctx.session, input)
        return { text: typeof response.text === 'string' ? response.text : '' }
      },
    }),
    define({
      id: 'http.request@v1',
      description: 'Calls an HTTP endpoint through the outbound policy (private addresses need the admin allow-list)',
      input: z.object({
        url: z.string().url(), method: z.enum(['GET', 'POST', 'PUT', 'DELETE']).default('POST'),
        headers: z.record(z.string(), z.string()).default({}), body: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
      }),
      outputs: ['status', 'body', 'json'],
      sideEffect: true,
      async run(input, ctx) {
        const headers: Record<string, string> = { ...input.headers }
        let body: string | undefined
        if (typeof input.body === 'string') body = input.body
        else if (input.body !== undefined) {
          body = JSON.stringify(input.body)
          headers['content-type'] ??= 'application/json'
        }
        // Receivers that support it can drop a repeated call (Stripe-style header).
        if (ctx.idempotencyKey) headers['idempotency-key'] ??= ctx.idempotencyKey
        let response
        try {
          response = await deps.outbound.request(input.url, { method: input.method, headers, body })
        } catch (err) {
          if (err instanceof OutboundError) throw new ActionError(`${input.method} ${err.url}: ${err.message}`, { retryable: err.reason === 'timeout' || err.reason === 'network', cause: err })
          throw err
        }
        const text = response.body.toString('utf8')
        if (response.status === 429 || response.status >= 500) {
          const retryAfter = Number(response.headers['retry-after'])
          throw new ActionError(`${input.method} ${input.url.split('?')[0]} answered ${response.status}`, {
            retryable: true, status: response.status, ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
          })
        }
        if (response.status >= 400) throw new ActionError(`${input.method} ${input.url.split('?')[0]} answered ${response.status}: ${text.slice(0, 200)}`, { retryable: false, status: response.status })
        let json: unknown = null
        try {
          json = text ? parseJson(text) : null
        } catch {
          // Not JSON: the text is in `body`.
        }
        return { status: response.status, body: text, json }
      },
    }),
  ]
}

export function registerCoreActions(registry: ActionRegistry, deps: CoreActionDeps): void {
  for (const action of coreActions(deps)) registry.register(action)
}
