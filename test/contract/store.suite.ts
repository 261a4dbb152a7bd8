/** The stores' contract (the SQL the services rely on), run on every database backend. */
import { expect } from 'chai'
import type { Database } from '../../core/db/index.ts'
import { newId } from '../../core/ids.ts'
import { createUserStore, type UserStore } from '../../core/users/store.ts'
import { createTeamStore, type TeamStore } from '../../core/teams/store.ts'
import { createChannelStore, DEFAULT_CHANNEL_NOTIFY_PROPS, type ChannelStore, type ChannelRecord } from '../../core/channels/store.ts'
import { createPostStore, type PostRecord, type PostStore } from '../../core/posts/store.ts'
import type { OpenedDatabase } from './database.suite.ts'

export function storeSuite(open: () => Promise<OpenedDatabase>): void {
  let opened: OpenedDatabase
  let db: Database
  let users: UserStore
  let teams: TeamStore
  let channels: ChannelStore
  let posts: PostStore
  let n = 0

  before(async function () {
    this.timeout(120_000)
    opened = await open()
    db = opened.db
    users = createUserStore(db)
    teams = createTeamStore(db)
    channels = createChannelStore(db)
    posts = createPostStore(db)
  })

  after(async function () {
    this.timeout(30_000)
    await opened?.cleanup()
  })

  async function user(fields: { username?: string; firstName?: string; deleted?: boolean; isBot?: boolean } = {}) {
    n += 1
    const username = fields.username ?? `user${n}x${Date.now() % 100000}`
    return users.insert(db.prisma, {
      id: newId(), createAt: 1000 + n, updateAt: 1000 + n, deleteAt: fields.deleted ? 5 : 0, username, email: `${username}@example.com`,
      passwordHash: '', authService: '', nickname: '', firstName: fields.firstName ?? '', lastName: '', position: '', roles: 'system_user',
      locale: 'en', notifyProps: {}, props: {}, timezone: {}, lastPasswordUpdate: 0, isBot: fields.isBot ?? false,
    })
  }

  async function team() {
    n += 1
    return teams.insert(db.prisma, {
      id: newId(), createAt: 1, updateAt: 1, deleteAt: 0, name: `team${n}x${Date.now() % 100000}`, displayName: `Team ${n}`, description: '', email: '',
      type: 'O', companyName: '', allowedDomains: '', inviteId: '', allowOpenInvite: true,
    })
  }

  async function join(teamId: string, userId: string) {
    await teams.upsertMember(db.prisma, { teamId, userId, schemeAdmin: false, createAt: 1, deleteAt: 0 })
  }

  async function channel(teamId: string, type = 'O'): Promise<ChannelRecord> {
    n += 1
    return channels.insert(db.prisma, {
      id: newId(), createAt: 1, updateAt: 1, deleteAt: 0, teamId, type, name: `c${n}x${Date.now() % 100000}`, displayName: `Channel ${n}`, header: '', purpose: '',
      creatorId: '', lastPostAt: 0, lastRootPostAt: 0, totalMsgCount: 0, totalMsgCountRoot: 0, extraUpdateAt: 0,
    })
  }

  async function member(c: ChannelRecord, userId: string) {
    await channels.insertMember(db.prisma, {
      channelId: c.id, userId, schemeAdmin: false, lastViewedAt: 0, msgCount: 0, msgCountRoot: 0, mentionCount: 0, mentionCountRoot: 0,
      urgentMentionCount: 0, notifyProps: { ...DEFAULT_CHANNEL_NOTIFY_PROPS }, lastUpdateAt: 0,
    })
  }

  async function post(channelId: string, createAt: number, fields: Partial<PostRecord> = {}): Promise<PostRecord> {
    return posts.insert(db.prisma, {
      id: newId(), createAt, updateAt: createAt, editAt: 0, deleteAt: 0, isPinned: false, userId: 'u'.repeat(26), channelId, rootId: '', originalId: '',
      message: 'm', type: '', props: {}, hashtags: '', fileIds: [], pendingPostId: '', hasReactions: false, remoteId: '', ...fields,
    })
  }

  describe('user store', () => {
    it('lists only users who share a team or channel with the viewer, and the viewer', async () => {
      const [viewer, teammate, dmPartner, stranger] = [await user(), await user(), await user(), await user()]
      const t = await team()
      await join(t.id, viewer.id)
      await join(t.id, teammate.id)
      const dm = await channel('', 'D')
      await member(dm, viewer.id)
      await member(dm, dmPartner.id)
      const visible = await users.visibleIds(viewer.id, [viewer.id, teammate.id, dmPartner.id, stranger.id])
      expect([...visible].sort()).to.deep.equal([viewer.id, teammate.id, dmPartner.id].sort())
      const listed = await users.list({ visibleTo: viewer.id, offset: 0, limit: 1000 })
      expect(listed.map((u) => u.id)).to.not.include(stranger.id)
      expect(listed.map((u) => u.id)).to.include.members([viewer.id, teammate.id, dmPartner.id])
    })

    it('matches a search term as a prefix of the username or first name, case-insensitively', async () => {
      const t = await team()
      const zed = await user({ username: `zedd${n}`, firstName: 'Zebulon' })
      const other = await user()
      await join(t.id, zed.id)
      await join(t.id, other.id)
      expect((await users.list({ inTeam: t.id, term: 'ZEDD', offset: 0, limit: 10 })).map((u) => u.id)).to.deep.equal([zed.id])
      expect((await users.list({ inTeam: t.id, term: 'zebu', offset: 0, limit: 10 })).map((u) => u.id)).to.deep.equal([zed.id])
    })

    it('treats % and _ in a search term literally', async () => {
      const t = await team()
      const a = await user()
      await join(t.id, a.id)
      expect(await users.list({ inTeam: t.id, term: '%', offset: 0, limit: 10 })).to.deep.equal([])
    })

    it('separates active and deactivated users and pages in username order', async () => {
      const t = await team()
      const active = [await user({ username: `b${n}act` }), await user({ username: `a${n}act` })]
      const gone = await user({ deleted: true })
      for (const u of [...active, gone]) await join(t.id, u.id)
      const page = await users.list({ inTeam: t.id, inactive: false, offset: 0, limit: 10 })
      expect(page.map((u) => u.username)).to.deep.equal(active.map((u) => u.username).sort())
      expect((await users.list({ inTeam: t.id, inactive: true, offset: 0, limit: 10 })).map((u) => u.id)).to.deep.equal([gone.id])
      expect((await users.list({ inTeam: t.id, inactive: false, offset: 1, limit: 1 })).map((u) => u.username)).to.deep.equal([page[1]!.username])
    })

    it('finds users in a channel and users of a team outside it', async () => {
      const t = await team()
      const [inside, outside] = [await user(), await user()]
      await join(t.id, inside.id)
      await join(t.id, outside.id)
      const c = await channel(t.id)
      await member(c, inside.id)
      expect((await users.list({ inChannel: c.id, offset: 0, limit: 10 })).map((u) => u.id)).to.deep.equal([inside.id])
      expect((await users.list({ inTeam: t.id, notInChannel: c.id, offset: 0, limit: 10 })).map((u) => u.id)).to.deep.equal([outside.id])
    })
  })

  describe('channel store', () => {
    it("lists a user's channels of one team together with their direct and group messages", async () => {
      const [t1, t2] = [await team(), await team()]
      const u = await user()
      const [a, b, dm] = [await channel(t1.id), await channel(t2.id), await channel('', 'D')]
      for (const c of [a, b, dm]) await member(c, u.id)
      expect((await channels.listForUser(u.id, t1.id, false)).map((c) => c.id).sort()).to.deep.equal([a.id, dm.id].sort())
    })

    it('hides archived channels unless asked for them', async () => {
      const t = await team()
      const u = await user()
      const c = await channel(t.id)
      await member(c, u.id)
      await channels.update(c.id, { deleteAt: 99 })
      expect(await channels.listForUser(u.id, t.id, false)).to.deep.equal([])
      expect((await channels.listForUser(u.id, t.id, true)).map((x) => x.id)).to.deep.equal([c.id])
    })

    it('keeps channel names unique per team but allows the same name in another team', async () => {
      const [t1, t2] = [await team(), await team()]
      const c = await channel(t1.id)
      const clash = channels.insert(db.prisma, { ...c, id: newId() })
      await clash.then(
        () => expect.fail('duplicate name accepted'),
        (err: unknown) => expect(String(err)).to.match(/Unique constraint|unique/i),
      )
      await channels.insert(db.prisma, { ...c, id: newId(), teamId: t2.id })
    })
  })

  describe('post store', () => {
    it('pages a timeline newest first and continues from a pivot without gaps or repeats, even with equal timestamps', async () => {
      const t = await team()
      const c = await channel(t.id)
      const created: PostRecord[] = []
      for (let i = 0; i < 7; i++) created.push(await post(c.id, 5000 + Math.floor(i / 2)))
      const firstPage = await posts.channelPage(c.id, { offset: 0, limit: 3, rootsOnly: false, includeDeleted: false })
      const rest = await posts.channelAround(c.id, firstPage[2]!, 'before', { offset: 0, limit: 10, rootsOnly: false })
      const seen = [...firstPage, ...rest].map((p) => p.id)
      expect(new Set(seen).size).to.equal(7)
      expect(seen.sort()).to.deep.equal(created.map((p) => p.id).sort())
      const times = [...firstPage, ...rest].map((p) => p.createAt)
      expect(times).to.deep.equal([...times].sort((x, y) => y - x))
    })

    it('returns posts after a pivot oldest first', async () => {
      const t = await team()
      const c = await channel(t.id)
      const [p1, p2, p3] = [await post(c.id, 100), await post(c.id, 200), await post(c.id, 300)]
      expect((await posts.channelAround(c.id, p1, 'after', { offset: 0, limit: 5, rootsOnly: false })).map((p) => p.id)).to.deep.equal([p2.id, p3.id])
    })

    it('soft-deletes a root together with its replies', async () => {
      const t = await team()
      const c = await channel(t.id)
      const root = await post(c.id, 100)
      const reply = await post(c.id, 200, { rootId: root.id })
      await posts.softDelete(db.prisma, root, 999)
      expect((await posts.getById(reply.id))?.deleteAt).to.equal(999)
      expect(await posts.threadPosts(root.id)).to.deep.equal([])
    })

    it('keeps props and file ids as JSON', async () => {
      const t = await team()
      const c = await channel(t.id)
      const p = await post(c.id, 1, { props: { attachments: [{ text: 'x', fields: [{ short: true }] }] }, fileIds: ['f'.repeat(26)] })
      const read = await posts.getById(p.id)
      expect(read?.props).to.deep.equal({ attachments: [{ text: 'x', fields: [{ short: true }] }] })
      expect(read?.fileIds).to.deep.equal(['f'.repeat(26)])
    })
  })
}
