/** What the playbook run tests share: the Playbooks API, slash commands and a channel's posts, as test users. */
import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Post } from '@mattermost/types/posts'
import { rawRequest } from '../../helpers/expect-status.ts'
import { eventually } from '../../helpers/eventually.ts'
import type { UserSession } from '../../helpers/factories.ts'
import { useTestServer, type Backend, type TestServer } from '../../helpers/server.ts'
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.ts'

/**
 * A test server whose PLAYBOOKS_DIR holds `files` (name → YAML, given the URL of an HTTP receiver
 * the playbooks may call), written before the server starts. Register hooks that must run before
 * the server stops (closing a WebSocket) before calling this.
 */
export function usePlaybookServer(backend: Backend, files: (receiverUrl: string) => Record<string, string>): { readonly server: TestServer; receiver(): HttpReceiver } {
  let receiver: HttpReceiver | undefined
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-playbooks-'))
  before(async () => {
    receiver = await startHttpReceiver()
    for (const [name, text] of Object.entries(files(receiver.url))) fs.writeFileSync(path.join(dir, name), text)
  })
  after(async () => {
    await receiver?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const ctx = useTestServer(backend, { jobPollIntervalMs: 100, allowedUntrustedInternalConnections: '127.0.0.1', playbooksDir: dir })
  return { get server() { return ctx.server }, receiver: () => receiver! }
}

/**
 * Helpers bound to a server and team known only once `before` has run (hence the getters); runs
 * and posts are read as `reader`.
 */
export function playbookClient<Run>(serverUrl: () => string, teamId: () => string, reader: () => UserSession) {
  const api = (who: UserSession, route: string, init: { method?: string; body?: unknown } = {}) =>
    rawRequest(serverUrl(), `/plugins/playbooks/api/v0${route}`, { token: who.token, ...init } as never)
  async function getRun(id: string): Promise<Run> {
    const res = await api(reader(), `/runs/${id}`)
    expect(res.status, res.text).to.equal(200)
    return JSON.parse(res.text) as Run
  }
  return {
    api,
    getRun,
    async command(who: UserSession, channelId: string, line: string): Promise<string> {
      const res = (await who.client.executeCommand(line, { channel_id: channelId, team_id: teamId() } as never)) as { text?: string }
      return res.text ?? ''
    },
    /** Starts a run of `playbook` through the API as the reader and waits until its channel is set up. */
    async startRun(playbook: string, name = `${playbook} run`): Promise<Run> {
      const res = await api(reader(), '/runs', { method: 'POST', body: { playbook_id: playbook, team_id: teamId(), name } })
      expect(res.status, res.text).to.equal(201)
      const { id } = JSON.parse(res.text) as { id: string }
      return eventually('the run channel', async () => {
        const run = (await getRun(id)) as Run & { channel_id?: string }
        return run.channel_id ? run : undefined
      }, 30_000)
    },
    async postsIn(channelId: string): Promise<Post[]> {
      const list = await reader().client.getPosts(channelId, 0, 200)
      return list.order.map((id) => list.posts[id]!).reverse()
    },
  }
}
