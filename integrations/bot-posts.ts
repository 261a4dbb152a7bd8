/**
 * Posts a vendor bot makes on behalf of an action (the Zoom bot's meeting link), and the channel check such actions
 * share: the channel must be an open channel of the connection's team, and the acting user a member of it.
 */
import { ActionError } from '../core/actions/index.ts'
import type { AuthSession } from '../core/auth/session-types.ts'
import type { BotService } from '../core/bots/service.ts'
import type { ChannelStore } from '../core/channels/store.ts'
import type { PostService } from '../core/posts/service.ts'
import type { UserRecord } from '../core/users/store.ts'

export interface BotPoster {
  /** @throws ActionError (not retryable) when the channel is not the team's, or the acting user is not in it. */
  check(session: AuthSession, target: { teamId: string; channelId: string }): Promise<void>
  /** Posts as the vendor's bot (made on first use) after the same check. @returns the post's id. @throws ActionError as `check`. */
  create(session: AuthSession, post: { vendor: string; vendorName: string; teamId: string; channelId: string; message: string; props: Record<string, unknown> }): Promise<string>
}

/**
 * Each vendor's bot account, made on first use rather than at start (a bot made at start would take the first
 * account's admin role), then remembered.
 */
export function vendorBots(bots: Pick<BotService, 'ensureBot'>): (vendor: string, vendorName: string) => Promise<UserRecord> {
  const made = new Map<string, UserRecord>()
  return async (vendor, vendorName) => {
    let bot = made.get(vendor)
    if (!bot) {
      bot = await bots.ensureBot({ username: vendor, displayName: vendorName, description: `Posts ${vendorName} events from its connections.`, ownerId: `integrations.${vendor}` })
      made.set(vendor, bot)
    }
    return bot
  }
}

export function createBotPoster(deps: {
  channelStore: Pick<ChannelStore, 'getById' | 'getMember'>
  posts: Pick<PostService, 'createIntegrationPosts'>
  botFor: ReturnType<typeof vendorBots>
}): BotPoster {
  async function check(session: AuthSession, target: { teamId: string; channelId: string }) {
    const channel = await deps.channelStore.getById(target.channelId)
    if (!channel || channel.deleteAt > 0 || channel.teamId !== target.teamId) {
      throw new ActionError(`channel ${target.channelId} is not an open channel of the connection's team`, { retryable: false, status: 400 })
    }
    if (!session.isSystemAdmin && !(await deps.channelStore.getMember(target.channelId, session.userId))) {
      throw new ActionError(`the acting user is not a member of channel ${target.channelId}`, { retryable: false, status: 403 })
    }
    return channel
  }

  return {
    check: async (session, target) => void (await check(session, target)),
    async create(session, post) {
      const channel = await check(session, post)
      const bot = await deps.botFor(post.vendor, post.vendorName)
      const [created] = await deps.posts.createIntegrationPosts(channel, bot.id, [{ message: post.message, type: '', props: post.props }])
      return created!.post.id
    },
  }
}
