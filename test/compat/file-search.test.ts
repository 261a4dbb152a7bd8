/** File search through Client4 searchFilesWithParams (Mattermost api4/file.go searchFiles, SqlFileInfoStore.Search). */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import type { FileInfo, FileSearchResultItem } from '@mattermost/types/files'
import type { Post } from '@mattermost/types/posts'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { makeChannelWith, makeTeamWithMembers, makeUpload, type TeamWorld, type UserSession } from '../helpers/factories.ts'
import { makePdf } from '../helpers/pdf.ts'

/** The JSON the route answers (Client4's FileSearchResults types file_infos as a Map, which JSON never is). */
interface FileInfoList {
  order: string[]
  file_infos: Record<string, FileSearchResultItem>
  next_file_info_id: string
  prev_file_info_id: string
}

/** A word no other test uses: letters and digits only, so the text-search parser keeps it whole. */
const word = () => `w${randomBytes(5).toString('hex')}`

/** Uploads a file and attaches it to a new post, as the web app does; only attached files are searchable. */
async function share(who: UserSession, channelId: string, name: string, data: Buffer | string): Promise<FileInfo> {
  const file = await makeUpload(who.client, channelId, name, Buffer.isBuffer(data) ? data : Buffer.from(data))
  await who.client.createPost({ channel_id: channelId, message: `sharing ${name}`, file_ids: [file.id] } as Post)
  return file
}

const dayOf = (millis: number) => new Date(millis).toISOString().slice(0, 10)
const shiftDay = (day: string, days: number) => dayOf(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000)

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession
  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 2)
    ;[alice, bob] = world.members as [UserSession, UserSession]
  })

  const search = (who: UserSession, terms: string, extra: Record<string, unknown> = {}) =>
    who.client.searchFilesWithParams(world.team.id, { terms, is_or_search: false, ...extra }) as unknown as Promise<FileInfoList>
  const namesOf = (result: FileInfoList) => result.order.map((id) => result.file_infos[id]!.name)

  describe('POST /api/v4/teams/{team_id}/files/search', () => {
    it('finds a file by part of its name split on punctuation (report → quarterly-report.pdf)', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      await share(alice, channel.id, `${w}_quarterly-report.final.bin`, randomBytes(64))
      await share(alice, channel.id, `${w}-other.bin`, randomBytes(64))
      expect(namesOf(await search(alice, `${w} report`))).to.deep.equal([`${w}_quarterly-report.final.bin`])
      expect(namesOf(await search(alice, `${w}_quarterly-report.final.bin`))).to.deep.equal([`${w}_quarterly-report.final.bin`])
    })

    it('answers a FileInfoList with each file channel_id and post_id, and Cache-Control: no-cache, no-store, must-revalidate', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const file = await makeUpload(alice.client, channel.id, `${w}.bin`, randomBytes(32))
      const post = await alice.client.createPost({ channel_id: channel.id, message: 'here', file_ids: [file.id] } as Post)
      const res = await rawRequest(ctx.server.url, `/api/v4/teams/${world.team.id}/files/search`, { token: alice.token, body: { terms: w, is_or_search: false } })
      expect(res.status).to.equal(200)
      expect(res.headers.get('cache-control')).to.equal('no-cache, no-store, must-revalidate')
      const list = res.json as FileInfoList
      expect(list).to.include({ next_file_info_id: '', prev_file_info_id: '' })
      expect(list.order).to.deep.equal([file.id])
      expect(list.file_infos[file.id]).to.include({ id: file.id, name: `${w}.bin`, extension: 'bin', channel_id: channel.id, post_id: post.id, user_id: alice.user.id })
      expect(list.file_infos[file.id]).not.to.have.any.keys('content', 'path')
    })

    it('matches each word as a prefix, as Mattermost file search does', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      await share(alice, channel.id, `${w}ment.bin`, randomBytes(16))
      expect(namesOf(await search(alice, w))).to.deep.equal([`${w}ment.bin`])
    })

    it('ANDs words by default and ORs them with is_or_search', async () => {
      const channel = await makeChannelWith(world, [alice])
      const [a, b] = [word(), word()]
      await share(alice, channel.id, `${a}.bin`, randomBytes(16))
      await share(alice, channel.id, `${b}.bin`, randomBytes(16))
      await share(alice, channel.id, `${a}-${b}.bin`, randomBytes(16))
      expect(namesOf(await search(alice, `${a} ${b}`))).to.deep.equal([`${a}-${b}.bin`])
      expect(namesOf(await search(alice, `${a} ${b}`, { is_or_search: true }))).to.deep.equal([`${a}-${b}.bin`, `${b}.bin`, `${a}.bin`])
    })

    it('filters by extension with ext: and leaves extensions out with -ext:', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      await share(alice, channel.id, `${w}.pdf`, makePdf(['x']))
      await share(alice, channel.id, `${w}.png`, randomBytes(16))
      await share(alice, channel.id, `${w}.zip`, randomBytes(16))
      expect(namesOf(await search(alice, `${w} ext:pdf`))).to.deep.equal([`${w}.pdf`])
      expect(namesOf(await search(alice, `${w} ext:.PDF ext:zip`))).to.deep.equal([`${w}.zip`, `${w}.pdf`])
      expect(namesOf(await search(alice, `${w} -ext:pdf -ext:png`))).to.deep.equal([`${w}.zip`])
      expect(namesOf(await search(alice, `ext:png in:${channel.name}`))).to.deep.equal([`${w}.png`])
    })

    it('filters by uploader with from: and -from:', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const w = word()
      await share(alice, channel.id, `${w}-alice.bin`, randomBytes(16))
      await share(bob, channel.id, `${w}-bob.bin`, randomBytes(16))
      expect(namesOf(await search(alice, `${w} from:${bob.user.username}`))).to.deep.equal([`${w}-bob.bin`])
      expect(namesOf(await search(alice, `${w} -from:${bob.user.username}`))).to.deep.equal([`${w}-alice.bin`])
    })

    it('filters by channel with in: and -in:', async () => {
      const one = await makeChannelWith(world, [alice])
      const two = await makeChannelWith(world, [alice])
      const w = word()
      await share(alice, one.id, `${w}-one.bin`, randomBytes(16))
      await share(alice, two.id, `${w}-two.bin`, randomBytes(16))
      expect(namesOf(await search(alice, `${w} in:${one.name}`))).to.deep.equal([`${w}-one.bin`])
      expect(namesOf(await search(alice, `${w} -in:${one.name}`))).to.deep.equal([`${w}-two.bin`])
    })

    it('filters by the upload day with on:, before:, after:, -on: and time_zone_offset', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const file = await share(alice, channel.id, `${w}.bin`, randomBytes(16))
      const day = dayOf(file.create_at)
      const found = async (terms: string, extra: Record<string, unknown> = {}) => (await search(alice, `${w} ${terms}`, extra)).order.length
      expect(await found(`on:${day}`)).to.equal(1)
      expect(await found(`on:${shiftDay(day, -1)}`)).to.equal(0)
      expect(await found(`after:${shiftDay(day, -1)}`)).to.equal(1)
      expect(await found(`after:${day}`)).to.equal(0)
      expect(await found(`before:${shiftDay(day, 1)}`)).to.equal(1)
      expect(await found(`before:${day}`)).to.equal(0)
      expect(await found(`-on:${day}`)).to.equal(0)
      expect(await found(`-on:${shiftDay(day, -1)}`)).to.equal(1)
      // A whole day ahead of UTC, the upload falls on the next local day.
      expect(await found(`on:${shiftDay(day, 1)}`, { time_zone_offset: 86_400 })).to.equal(1)
      expect(await found('on:yesterday')).to.equal(0)
    })

    it('leaves out files whose name has an -excluded word', async () => {
      const channel = await makeChannelWith(world, [alice])
      const [w, x] = [word(), word()]
      await share(alice, channel.id, `${w}-kept.bin`, randomBytes(16))
      await share(alice, channel.id, `${w}-${x}.bin`, randomBytes(16))
      expect(namesOf(await search(alice, `${w} -${x}`))).to.deep.equal([`${w}-kept.bin`])
    })

    it('never shows files of a channel the user never joined', async () => {
      const channel = await makeChannelWith(world, [bob])
      const w = word()
      await share(bob, channel.id, `${w}.bin`, randomBytes(16))
      expect((await search(bob, w)).order).to.have.length(1)
      expect((await search(alice, w)).order).to.deep.equal([])
      expect((await search(alice, `${w} in:${channel.name}`)).order).to.deep.equal([])
    })

    it('stops showing files of a channel once the user left it', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const w = word()
      await share(bob, channel.id, `${w}.bin`, randomBytes(16))
      expect((await search(alice, w)).order).to.have.length(1)
      await alice.client.removeFromChannel(alice.user.id, channel.id)
      expect((await search(alice, w)).order).to.deep.equal([])
    })

    it('does not find a file of a deleted post, nor an upload never attached to a post', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const file = await makeUpload(alice.client, channel.id, `${w}-shared.bin`, randomBytes(16))
      const post = await alice.client.createPost({ channel_id: channel.id, message: 'soon gone', file_ids: [file.id] } as Post)
      await makeUpload(alice.client, channel.id, `${w}-never-posted.bin`, randomBytes(16))
      expect(namesOf(await search(alice, w))).to.deep.equal([`${w}-shared.bin`])
      await alice.client.deletePost(post.id)
      expect((await search(alice, w)).order).to.deep.equal([])
    })

    it('searches archived channels only with include_deleted_channels', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const file = await share(alice, channel.id, `${w}.bin`, randomBytes(16))
      await world.owner.client.deleteChannel(channel.id)
      expect((await search(alice, w)).order).to.deep.equal([])
      expect((await search(alice, w, { include_deleted_channels: true })).order).to.deep.equal([file.id])
    })

    it('pages newest first with page and per_page', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const ids: string[] = []
      for (let i = 0; i < 3; i++) ids.push((await share(alice, channel.id, `${w}-${i}.bin`, randomBytes(16))).id)
      const newest = ids.reverse()
      expect((await search(alice, w, { page: 0, per_page: 2 })).order).to.deep.equal(newest.slice(0, 2))
      expect((await search(alice, w, { page: 1, per_page: 2 })).order).to.deep.equal(newest.slice(2))
    })

    it('rejects empty terms with 400 api.context.invalid_param.app_error', async () => {
      await expectStatus(alice.client.searchFilesWithParams(world.team.id, { terms: '', is_or_search: false }), 400, 'api.context.invalid_param.app_error')
    })

    it('rejects a body that is not JSON with 400 api.post.search_files.invalid_body.app_error', async () => {
      const res = await rawRequest(ctx.server.url, `/api/v4/teams/${world.team.id}/files/search`, { token: alice.token, rawBody: '{"terms": "x"', headers: { 'Content-Type': 'application/json' } })
      expect(res.status).to.equal(400)
      expect((res.json as { id: string }).id).to.equal('api.post.search_files.invalid_body.app_error')
    })

    it('returns 403 to a user outside the team', async () => {
      const other = await makeTeamWithMembers(ctx.server, 0)
      await expectStatus(other.owner.client.searchFilesWithParams(world.team.id, { terms: 'x', is_or_search: false }), 403)
    })

    it('answers odd input with results or an empty list, never an error', async () => {
      for (const terms of ['"unbalanced', '!!! ???', `& | ! : ( ) ' <-> \\`, '*', '-', 'ext:', '-ext:', '#', `${'x'.repeat(3000)}`, 'on:2024-13-45', '"a b" -"c"']) {
        const result = await search(alice, terms).catch((err: { status_code?: number }) => {
          throw new Error(`search ${JSON.stringify(terms.slice(0, 40))} failed with ${err.status_code}`)
        })
        expect(result.order, terms.slice(0, 40)).to.be.an('array')
      }
    })
  })

  describe('POST /api/v4/files/search', () => {
    it('searches the files of every team of the user', async () => {
      const other = await makeTeamWithMembers(ctx.server, 0)
      await other.owner.client.addToTeam(other.team.id, alice.user.id)
      const away = await makeChannelWith(other, [alice])
      const home = await makeChannelWith(world, [alice])
      const w = word()
      const f1 = await share(alice, home.id, `${w}-home.bin`, randomBytes(16))
      const f2 = await share(alice, away.id, `${w}-away.bin`, randomBytes(16))
      const all = (await alice.client.searchFilesWithParams('', { terms: w, is_or_search: false })) as unknown as FileInfoList
      expect(all.order).to.deep.equal([f2.id, f1.id])
      expect((await search(alice, w)).order).to.deep.equal([f1.id])
    })
  })

  describe('text extracted on upload', () => {
    it('finds a text file by a word inside it', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      await share(alice, channel.id, 'notes.txt', `Meeting notes\nthe ${w} rollout is on track\n`)
      await share(alice, channel.id, 'other.txt', 'nothing to see')
      expect(namesOf(await search(alice, w))).to.deep.equal(['notes.txt'])
    })

    it('finds code and Markdown files by their text, but not binary bytes under a text name', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      await share(alice, channel.id, 'deploy.ts', `export const ${w} = 1\n`)
      await share(alice, channel.id, 'README.md', `# Title\n\nSee ${w}.\n`)
      await share(alice, channel.id, 'fake.txt', Buffer.concat([Buffer.from(`${w} `), Buffer.from([0, 1, 2, 0xff])]))
      expect(namesOf(await search(alice, w))).to.deep.equal(['README.md', 'deploy.ts'])
    })

    it('finds a PDF by the text on its page', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      await share(alice, channel.id, 'board-minutes.pdf', makePdf(['Minutes of the board', `Budget line ${w} approved`]))
      const result = await search(alice, `${w} ext:pdf`)
      expect(namesOf(result)).to.deep.equal(['board-minutes.pdf'])
      expect((await search(alice, `"budget line ${w}"`)).order).to.deep.equal(result.order)
    })

    it('keeps a quarter of a text too large for the search index rather than failing the upload', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      // 1 MiB of distinct four-character words: its tsvector would pass PostgreSQL's 1 MB limit.
      const words: string[] = []
      for (let i = 0; words.length * 5 < 1024 * 1024; i++) words.push(i.toString(36).padStart(4, 'a'))
      const file = await share(alice, channel.id, 'dictionary.txt', `${w} ${words.join(' ')}`)
      expect((await search(alice, w)).order).to.deep.equal([file.id])
    })

    it('stores a corrupt PDF without text, still found by its name', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const corrupt = Buffer.concat([makePdf([w]).subarray(0, 40), randomBytes(200)])
      const file = await share(alice, channel.id, `${w}-broken.pdf`, corrupt)
      expect(file.mime_type).to.equal('application/pdf')
      expect((await search(alice, `${w} ext:pdf`)).order).to.deep.equal([file.id])
      expect((await search(alice, `broken ${w}`)).order).to.deep.equal([file.id])
    })
  })
})
