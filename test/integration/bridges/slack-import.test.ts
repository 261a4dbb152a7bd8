// Slack import through the admin API: what a team finds in Bridgehead after importing its export.
import { expect } from 'chai'
import type { Post } from '@mattermost/types/posts'
import type { Channel } from '@mattermost/types/channels'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { getAdmin, makeUser, uniqueName, type AdminSession, type UserSession } from '../../helpers/factories.ts'
import { writeSlackExport } from '../../helpers/slack-export.ts'
import { laterMessages, slackFixture, TS } from './slack-import-fixture.ts'
import { importThroughApi, startFileServer, uploadExport } from './slack-import-api.ts'

const FILE_TOKEN = 'xoxb-test-token'

describe('slack import', function () {
  this.timeout(120_000)

  forEachBackend((backend) => {
    // Outgoing connections to 127.0.0.1 (the file server) are what this test needs.
    const handle = useTestServer(backend, { jobPollIntervalMs: 50, allowedUntrustedInternalConnections: '127.0.0.1' })
    let admin: AdminSession
    let alice: UserSession
    let team: string
    let report: Record<string, any>
    let importJob: { data: Record<string, unknown> }
    let files: Awaited<ReturnType<typeof startFileServer>>
    let archive: string
    const byName = new Map<string, Channel>()
    let general: Post[]
    let teamId: string

    before(async () => {
      const server = handle.server
      admin = await getAdmin(server)
      alice = await makeUser(server)
      files = await startFileServer(FILE_TOKEN)
      team = uniqueName('slack')
      archive = await writeSlackExport(slackFixture({ aliceEmail: alice.user.email, fileServer: files.url }))
      const result = await importThroughApi(server.url, admin.token, archive, team, FILE_TOKEN)
      expect(result.job.status, JSON.stringify(result.job.data)).to.equal('success')
      report = result.report
      importJob = result.job
      const t = await admin.client.getTeamByName(team)
      for (const name of ['general', 'old-stuff', 'cafe-talk', 'secret-plans']) byName.set(name, await admin.client.getChannelByName(t.id, name, true))
      teamId = t.id
      general = await channelPosts(byName.get('general')!.id)
    })
    after(() => files?.close())

    async function channelPosts(channelId: string): Promise<Post[]> {
      const list = await admin.client.getPosts(channelId, 0, 200)
      return list.order.map((id) => list.posts[id]!).reverse()
    }
    const bySlackTs = (ts: string) => general.find((p) => p.props?.slack_ts === ts)

    it('creates the team and every public and private channel, with Unicode names kept for display', async () => {
      expect(byName.get('general')).to.include({ type: 'O', header: 'News & views', purpose: 'Everyone' })
      expect(byName.get('cafe-talk')).to.include({ type: 'O', display_name: 'café-talk' })
      expect(byName.get('secret-plans')).to.include({ type: 'P', purpose: 'shh' })
    })

    it('keeps each channel\'s creator and members', async () => {
      const secret = byName.get('secret-plans')!
      expect(secret.creator_id).to.equal(alice.user.id)
      const members = await admin.client.getChannelMembers(secret.id)
      const bob = await admin.client.getUserByUsername('bob')
      expect(members.map((m) => m.user_id).sort()).to.deep.equal([alice.user.id, bob.id].sort())
    })

    it('keeps an archived channel archived, at the time of its archive message', async () => {
      const old = byName.get('old-stuff')!
      expect(old.delete_at).to.equal(1700000300000)
    })

    it('matches users to existing accounts by email and creates the others without a usable password', async () => {
      const root = bySlackTs(TS.root)!
      expect(root.user_id).to.equal(alice.user.id)
      const bob = await admin.client.getUserByUsername('bob')
      expect(bob).to.include({ first_name: 'Bob', last_name: 'Builder', nickname: 'bobby' })
      const login = await fetch(`${handle.server.url}/api/v4/users/login`, { method: 'POST', body: JSON.stringify({ login_id: 'bob', password: '' }) })
      expect(login.status).to.be.oneOf([400, 401])
    })

    it('keeps a deactivated user deactivated, from the time Slack gives', async () => {
      const dave = await admin.client.getUserByUsername('dave')
      expect(dave.delete_at).to.equal(1690000000000)
    })

    it('imports text with entities decoded, mentions and links resolved and mrkdwn converted', async () => {
      expect(bySlackTs(TS.root)!.message).to.equal('hello **world** & @bob, see ~old-stuff')
      expect(bySlackTs('1700000037.500000')!.message).to.equal('@here look at [the site](https://example.com/a?b=1&c=2) ~~gone~~')
      expect(bySlackTs(TS.reply)!.message).to.equal('reply with `*code*` kept')
    })

    it('renders blocks to Markdown when a message has no text', async () => {
      expect(bySlackTs('1700000038.000000')!.message).to.equal('### Status\n\n**all** good')
    })

    it('links replies to their root, keeping the thread counts', async () => {
      const root = bySlackTs(TS.root)!
      const thread = await admin.client.getPostThread(root.id)
      const replies = thread.order.map((id) => thread.posts[id]!).filter((p) => p.root_id === root.id)
      expect(replies.map((p) => p.message).sort()).to.deep.equal(['also sent to the channel', 'reply with `*code*` kept'])
      expect(root.reply_count).to.equal(2)
    })

    it('keeps a thread whose root was deleted, under a placeholder root', async () => {
      const root = bySlackTs(TS.tombstone)!
      expect(root).to.include({ message: '(message deleted in Slack)', root_id: '' })
      const reply = bySlackTs(TS.tombstoneReply)!
      expect(reply.root_id).to.equal(root.id)
    })

    it('keeps replies whose root is not in the export, under a placeholder root', async () => {
      const reply = bySlackTs(TS.orphanReply)!
      const root = await admin.client.getPost(reply.root_id)
      expect(root).to.include({ message: '(message not available in export)', user_id: alice.user.id, create_at: 1699999000000 })
    })

    it('marks a thread_broadcast reply as broadcast', async () => {
      expect(bySlackTs(TS.broadcast)!.props).to.include({ broadcast: true })
    })

    it('keeps edits as edit_at', async () => {
      expect(bySlackTs(TS.root)!.edit_at).to.equal(1700000100000)
    })

    it('keeps reactions from every user, skin tones stripped', async () => {
      const reactions = await admin.client.getReactionsForPost(bySlackTs(TS.root)!.id)
      expect(reactions.map((r) => r.emoji_name).sort()).to.deep.equal(['+1', '+1', 'wave'])
      expect(new Set(reactions.filter((r) => r.emoji_name === '+1').map((r) => r.user_id)).size).to.equal(2)
    })

    it('keeps pins', async () => {
      const pinned = await admin.client.getPinnedPosts(byName.get('general')!.id)
      expect(pinned.order.map((id) => pinned.posts[id]!.message)).to.deep.equal(['hello **world** & @bob, see ~old-stuff'])
    })

    it('posts bot messages as a bot account with the username and icon the message had', async () => {
      const post = bySlackTs('1700000030.000000')!
      expect(post.props).to.include({ override_username: 'Deploy Bot', override_icon_url: 'https://img.example/deploy.png', from_webhook: 'true' })
      expect((post.props.attachments as any[])[0]).to.include({ title: 'v1.2', text: '**ok** & green' })
      const bot = await admin.client.getUser(post.user_id)
      expect(bot.is_bot).to.equal(true)
    })

    it('creates a bot for a bot id users.json does not list, and a user from a message\'s user_profile', async () => {
      const mystery = await admin.client.getUser(bySlackTs('1700000031.000000')!.user_id)
      expect(mystery).to.include({ is_bot: true })
      const external = await admin.client.getUser(bySlackTs('1700000036.000000')!.user_id)
      expect(external).to.include({ username: 'ext', first_name: 'External' })
    })

    it('imports me messages and join and topic messages as Mattermost system post types', async () => {
      expect(bySlackTs('1700000032.000000')!.type).to.equal('me')
      expect(bySlackTs('1700000033.000000')).to.include({ type: 'system_join_channel', message: '@carol has joined the channel' })
      expect(bySlackTs('1700000034.000000')!.type).to.equal('system_header_change')
    })

    it('downloads file bytes with the token, and says so in the post when a file cannot be had', async () => {
      const post = bySlackTs('1700000035.000000')!
      expect(post.file_ids).to.have.length(1)
      const info = await admin.client.getFileInfosForPost(post.id)
      expect(info[0]).to.include({ name: 'report.txt', size: 11 })
      const bytes = await fetch(`${handle.server.url}/api/v4/files/${post.file_ids![0]}`, { headers: { Authorization: `Bearer ${admin.token}` } })
      expect(await bytes.text()).to.equal('report body')
      expect(post.message).to.include('"gone.pdf", 100 bytes, was not downloaded from Slack: HTTP 404')
    })

    it('keeps the file token out of the import job that GET /jobs shows', async () => {
      expect(JSON.stringify(importJob.data)).to.not.include(FILE_TOKEN)
      expect(importJob.data).to.not.have.property('token')
    })

    it('takes file bytes from the export\'s __uploads folder when an exporter added them', async () => {
      const post = bySlackTs('1700000035.500000')!
      expect(post.file_ids).to.have.length(1)
      const bytes = await fetch(`${handle.server.url}/api/v4/files/${post.file_ids![0]}`, { headers: { Authorization: `Bearer ${admin.token}` } })
      expect(await bytes.text()).to.equal('# notes\n\n')
    })

    it('keeps millisecond timestamps in order, moving a collision by one millisecond', async () => {
      expect(bySlackTs(TS.sameMsA)!.create_at).to.equal(1700000040000)
      expect(bySlackTs(TS.sameMsB)!.create_at).to.equal(1700000040001)
    })

    it('imports DMs and group DMs between the same people', async () => {
      const all = await alice.client.getMyChannels(teamId)
      const dm = all.find((c) => c.type === 'D')
      const group = all.find((c) => c.type === 'G')
      expect(dm, 'a DM for alice').to.exist
      expect(group, 'a group DM for alice').to.exist
      expect((await channelPosts(dm!.id)).map((p) => p.message)).to.include('just between us')
      expect((await channelPosts(group!.id)).map((p) => p.message)).to.include('hi all three')
    })

    it('reports counts, skipped entries and warnings naming the file and entry', async () => {
      expect(report.counts.posts).to.be.greaterThan(20)
      expect(report.skipped['malformed day file']).to.equal(1)
      expect(report.skipped['malformed message']).to.equal(1)
      expect(report.skipped['folder of an unknown channel']).to.equal(1)
      const warnings = report.warnings.join('\n')
      expect(warnings).to.include('general/2023-11-15.json: not valid JSON')
      expect(warnings).to.include('general/2023-11-14.json[18]: ts "yesterday" is not a Slack timestamp')
      expect(warnings).to.include('unknown user id U9')
      expect(warnings).not.to.include('xoxe-secret')
    })

    it('adds nothing when the same export is imported again', async () => {
      const { report: again } = await importThroughApi(handle.server.url, admin.token, archive, team, FILE_TOKEN)
      expect(again.counts.posts ?? 0).to.equal(0)
      expect(again.counts.reactions ?? 0).to.equal(0)
      expect(again.counts.users ?? 0).to.equal(0)
      const now = await channelPosts(byName.get('general')!.id)
      expect(now.length).to.equal(general.length)
    })

    it('adds only the new messages of an export taken later', async () => {
      const later = await writeSlackExport({ ...slackFixture({ aliceEmail: alice.user.email, fileServer: files.url }), ...laterMessages() })
      const { report: next } = await importThroughApi(handle.server.url, admin.token, later, team, FILE_TOKEN)
      expect(next.counts.posts).to.equal(1)
      const now = await channelPosts(byName.get('general')!.id)
      expect(now.at(-1)!.message).to.equal('a message from the next day')
    })

    it('refuses an import from a user who is not a system admin, with the Mattermost error shape', async () => {
      const res = await uploadExport(handle.server.url, alice.token, archive, team)
      expect(res.status).to.equal(403)
      expect(await res.json()).to.include({ id: 'api.context.permissions.app_error', status_code: 403 })
    })

    it('fails the job of a corrupt archive with a message naming the archive', async () => {
      const broken = await writeSlackExport({ 'users.json': [] })
      const fs = await import('node:fs/promises')
      await fs.writeFile(broken, 'this is not a zip')
      const { job } = await importThroughApi(handle.server.url, admin.token, broken, team)
      expect(job.status).to.equal('error')
      expect(job.data.error).to.include('archive: cannot open the export as a zip')
    })

    it('fails the job of an export without channels.json, naming the file', async () => {
      const missing = await writeSlackExport({ 'users.json': [] })
      const { job } = await importThroughApi(handle.server.url, admin.token, missing, team)
      expect(job.status).to.equal('error')
      expect(job.data.error).to.include('channels.json: missing from the export')
    })
  })
})
