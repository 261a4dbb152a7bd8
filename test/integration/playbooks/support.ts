/** What the playbook run tests share: the Playbooks API, slash commands and a channel's posts, as test users. */
import { expect } from 'chai'
import type { Post } from '@mattermost/types/posts'
import { rawRequest } from '../../helpers/expect-status.ts'
import type { UserSession } from '../../helpers/factories.ts'

/**
 * Helpers bound to a server and team known only once `before` has run (hence the getters); runs
 * and posts are read as `reader`.
 */
export function playbookClient<Run>(serverUrl: () => string, teamId: () => string, reader: () => UserSession) {
  const api = (who: UserSession, route: string, init: { method?: string; body?: unknown } = {}) =>
    rawRequest(serverUrl(), `/plugins/playbooks/api/v0${route}`, { token: who.token, ...init } as never)
  return {
    api,
    async getRun(id: string): Promise<Run> {
      const res = await api(reader(), `/runs/${id}`)
      expect(res.status, res.text).to.equal(200)
      return JSON.parse(res.text) as Run
    },
    async command(who: UserSession, channelId: string, line: string): Promise<string> {
      const res = (await who.client.executeCommand(line, { channel_id: channelId, team_id: teamId() } as never)) as { text?: string }
      return res.text ?? ''
    },
    async postsIn(channelId: string): Promise<Post[]> {
      const list = await reader().client.getPosts(channelId, 0, 200)
      return list.order.map((id) => list.posts[id]!).reverse()
    },
  }
}
