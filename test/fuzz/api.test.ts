/**
 * Seeded fuzzing of every in-scope /api/v4 route and of WebSocket frames: malformed JSON, wrong
 * types, huge strings, deep nesting, unknown and malformed ids, bodies over 1 MiB. The server must
 * never answer 5xx, must answer every error with Mattermost's AppError JSON, and must keep serving.
 * Reproduce a run with FUZZ_SEED=<n> (printed in the suite title).
 */
import { expect } from 'chai'
import { WebSocket } from 'ws'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { rawRequest, type RawResponse } from '../helpers/expect-status.ts'
import { getAdmin, makeChannelWith, makePost, makeTeamWithMembers, makeUser, type UserSession } from '../helpers/factories.ts'
import { openRawSocket, websocketUrl } from '../helpers/ws-client.ts'
import { deepArray, deepObject, mutationsFor, oversizeMutation, type Mutation } from './mutations.ts'
import { sample, seededRandom } from './random.ts'
import { ROUTES } from './routes.ts'

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed)
/** Mutations sent per route (plus the oversize body); ~80 routes keep a backend near 10 s. */
const PER_ROUTE = 24
/** Hard cap per backend: once spent, each remaining route sends only its first mutation. */
const BUDGET_MS = 45_000
const OVERSIZE = 1024 * 1024 + 4096

/** What is wrong with a response, or undefined when it is acceptable. */
function problemWith(res: RawResponse): string | undefined {
  if (res.status >= 500) return `HTTP ${res.status}: ${res.text.slice(0, 200)}`
  if (res.status < 400) return undefined
  if (res.headers.get('content-type') !== 'application/json') return `HTTP ${res.status} with Content-Type ${res.headers.get('content-type')}`
  const body = res.json as Record<string, unknown> | undefined
  if (!body || typeof body !== 'object') return `HTTP ${res.status} with a body that is not a JSON object: ${res.text.slice(0, 200)}`
  for (const key of ['id', 'message', 'detailed_error', 'request_id'] as const) {
    if (typeof body[key] !== 'string') return `HTTP ${res.status} error body without a string ${key}: ${res.text.slice(0, 200)}`
  }
  if (body.id === '') return `HTTP ${res.status} error body with an empty id`
  if (body.status_code !== res.status) return `HTTP ${res.status} error body with status_code ${String(body.status_code)}`
  return undefined
}

forEachBackend((backend) => {
  describe(`API fuzzing (seed ${SEED})`, () => {
    const ctx = useTestServer(backend)
    const random = seededRandom(SEED)
    let params: Record<string, string>
    let fuzzer: UserSession
    let startedAt = 0

    before(async () => {
      // The admin passes every permission check, so the malformed input reaches each route's own code.
      const admin = await getAdmin(ctx.server)
      const world = await makeTeamWithMembers(ctx.server, 2)
      await world.owner.client.addToTeam(world.team.id, admin.user.id)
      const [other, third] = world.members as [UserSession, UserSession]
      const channel = await makeChannelWith(world, [other])
      await world.owner.client.addToChannel(admin.user.id, channel.id)
      const post = await makePost(admin.client, channel.id, 'fuzz root')
      await makePost(other.client, channel.id, 'fuzz reply', post.id)
      await admin.client.addReaction(admin.user.id, post.id, 'thumbsup')
      const token = await admin.client.createUserAccessToken(admin.user.id, 'fuzz fixture')
      const spare = await admin.client.createUserAccessToken(admin.user.id, 'fuzz spare')
      const bot = await admin.client.createBot({ username: `fuzz-bot-${Date.now()}` } as never)
      fuzzer = admin
      params = {
        me: admin.user.id,
        username: admin.user.username,
        other: other.user.id,
        otherName: other.user.username,
        third: third.user.id,
        team: world.team.id,
        teamName: world.team.name,
        channel: channel.id,
        channelName: channel.name,
        post: post.id,
        tokenId: token.id,
        spareTokenId: spare.id,
        bot: bot.user_id,
        emoji: 'thumbsup',
        category: 'display_settings',
        preference: 'use_military_time',
        timestamp: String(Date.now()),
      }
      startedAt = Date.now()
    })

    async function send(method: string, mutation: Mutation, anonymous: boolean): Promise<string | undefined> {
      const headers: Record<string, string> = {}
      if (mutation.contentType) headers['Content-Type'] = mutation.contentType
      try {
        const res = await rawRequest(ctx.server.url, `/api/v4${mutation.path}`, {
          method,
          token: anonymous ? undefined : fuzzer.token,
          rawBody: mutation.body,
          headers,
          signal: AbortSignal.timeout(10_000),
        })
        return problemWith(res)
      } catch (err) {
        return `request failed: ${(err as Error).message}`
      }
    }

    for (const route of ROUTES) {
      it(`survives malformed requests to ${route.method} /api/v4${route.path}`, async function () {
        this.timeout(30_000)
        const all = mutationsFor(route, params, random)
        const chosen = Date.now() - startedAt > BUDGET_MS ? all.slice(0, 1) : sample(all, PER_ROUTE, random)
        if (route.body !== undefined) chosen.push(oversizeMutation(route, params, OVERSIZE))
        const problems: string[] = []
        for (const mutation of chosen) {
          const problem = await send(route.method, mutation, route.anonymous === true)
          if (problem) problems.push(`${mutation.label}: ${problem}`)
        }
        if (problems.length > 0) {
          expect.fail(`${problems.length} of ${chosen.length} malformed requests were mishandled:\n    ${problems.slice(0, 8).join('\n    ')}`)
        }
      })
    }

    it('refuses a body over 1 MiB with 413 or 400 in the AppError shape', async () => {
      const res = await rawRequest(ctx.server.url, '/api/v4/posts', {
        token: fuzzer.token,
        rawBody: JSON.stringify({ channel_id: params.channel, message: 'x'.repeat(OVERSIZE) }),
      })
      expect([400, 413]).to.include(res.status)
      expect(problemWith(res)).to.equal(undefined)
    })

    it('survives malformed WebSocket frames and keeps answering on a new connection', async function () {
      this.timeout(30_000)
      const frames = [
        'not json', '{', '[]', 'null', '42', '{"seq":"one","action":"ping"}', '{"seq":-1,"action":"ping"}', '{"seq":1}',
        '{"seq":2,"action":""}', '{"seq":3,"action":"user_typing","data":"nope"}', '{"seq":4,"action":"user_typing","data":{"channel_id":123}}',
        '{"seq":5,"action":"user_typing","data":{"channel_id":"unknownchannelidunknownc12","parent_id":{}}}',
        '{"seq":6,"action":"get_statuses_by_ids","data":{"user_ids":"me"}}', '{"seq":7,"action":"get_statuses_by_ids","data":{"user_ids":[1,null,{}]}}',
        `{"seq":8,"action":"ping","data":${deepArray(50_000)}}`, `{"seq":9,"action":"ping","data":${deepObject(10_000)}}`,
        `{"seq":10,"action":"user_typing","data":{"channel_id":"${'a'.repeat(100_000)}"}}`,
        '{"seq":11,"action":"authentication_challenge","data":{"token":null}}',
      ]
      const bearer = { Authorization: `Bearer ${fuzzer.token}` }
      const raw = openRawSocket(websocketUrl(ctx.server.url), bearer)
      await raw.opened
      for (const frame of frames) {
        if (raw.socket.readyState !== WebSocket.OPEN) break
        raw.socket.send(frame)
      }
      await new Promise((resolve) => setTimeout(resolve, 500))
      raw.socket.terminate()
      for (const reply of raw.messages.filter((m) => m.status === 'FAIL')) {
        expect(reply.error, JSON.stringify(reply)).to.be.an('object').that.has.property('id').that.is.a('string')
      }
      const fresh = openRawSocket(websocketUrl(ctx.server.url), bearer)
      const hello = await fresh.next((m) => m.event === 'hello').finally(() => fresh.socket.terminate())
      expect(hello.seq).to.equal(0)
    })

    it('still answers /api/v4/system/ping afterwards, and the fuzzing session still works', async () => {
      const ping = await rawRequest(ctx.server.url, '/api/v4/system/ping')
      expect(ping.status).to.equal(200)
      expect(ping.json).to.include({ status: 'OK' })
      const me = await makeUser(ctx.server)
      expect((await me.client.getMe()).id).to.equal(me.user.id)
    })
  })
})
