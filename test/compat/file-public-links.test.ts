/** Public links to files with ENABLE_PUBLIC_LINK on (Mattermost api4/file.go getFileLink, getPublicFile). */
import { expect } from 'chai'
import type { FileInfo } from '@mattermost/types/files'
import type { Post } from '@mattermost/types/posts'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectAppError, expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { getAdmin, makeChannelWith, makeTeamWithMembers, makeUpload, type TeamWorld, type UserSession } from '../helpers/factories.ts'

const SITE_URL = 'https://chat.example.com'

forEachBackend((backend) => {
  const ctx = useTestServer(backend, { enablePublicLink: true, siteUrl: SITE_URL })
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession
  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 2)
    alice = world.members[0]!
    bob = world.members[1]!
  })

  /** A file alice posted in a private channel bob is not in, and its public link. */
  async function postedFile(name = 'report.txt', data = Buffer.from('public bytes')): Promise<{ file: FileInfo; post: Post; link: string }> {
    const channel = await makeChannelWith(world, [alice], 'P')
    const file = await makeUpload(alice.client, channel.id, name, data)
    const post = await alice.client.createPost({ channel_id: channel.id, message: 'shared', file_ids: [file.id] } as Post)
    const { link } = await alice.client.getFilePublicLink(file.id)
    return { file, post, link }
  }

  /** GET of a public link's path and query on the test server, without any credentials. */
  function openLink(link: string) {
    const url = new URL(link)
    return rawRequest(ctx.server.url, url.pathname + url.search)
  }

  describe('GET /api/v4/files/{file_id}/link', () => {
    it('is announced to signed-in clients as EnablePublicLink in the client config', async () => {
      const config = (await alice.client.getClientConfig()) as unknown as Record<string, string>
      expect(config.EnablePublicLink).to.equal('true')
    })

    it('returns {SITE_URL}/files/{id}/public?h=<hash> for a posted file the caller can read', async () => {
      const { file, link } = await postedFile()
      expect(link).to.match(new RegExp(`^${SITE_URL}/files/${file.id}/public\\?h=[A-Za-z0-9_-]{43}$`))
      // The channel's other members get the same link.
      expect((await world.owner.client.getFilePublicLink(file.id)).link).to.equal(link)
    })

    it('refuses an upload not attached to a post with 400', async () => {
      const channel = await makeChannelWith(world, [alice], 'P')
      const file = await makeUpload(alice.client, channel.id, 'draft.txt', Buffer.from('draft'))
      await expectStatus(alice.client.getFilePublicLink(file.id), 400, 'api.file.get_public_link.no_post.app_error')
    })

    it('refuses a user who cannot read the file with 403 and an unknown file with 404', async () => {
      const { file } = await postedFile()
      await expectStatus(bob.client.getFilePublicLink(file.id), 403, 'api.context.permissions.app_error')
      await expectStatus(alice.client.getFilePublicLink('a'.repeat(26)), 404, 'app.file_info.get.app_error')
    })
  })

  describe('GET /files/{file_id}/public', () => {
    it('serves the bytes without a session, with the download headers of the API', async () => {
      const { link } = await postedFile('notes.txt', Buffer.from('hello from a public link'))
      const res = await openLink(link)
      expect(res.status).to.equal(200)
      expect(res.text).to.equal('hello from a public link')
      expect(res.headers.get('content-type')).to.equal('text/plain')
      expect(res.headers.get('content-disposition')).to.match(/^attachment; filename="notes.txt"/)
      expect(res.headers.get('x-frame-options')).to.equal('DENY')
      expect(res.headers.get('content-security-policy')).to.include('sandbox')
    })

    it('serves HTML as plain text in an attachment, never as a page', async () => {
      const { link } = await postedFile('page.html', Buffer.from('<html><script>alert(1)</script></html>'))
      const res = await openLink(link)
      expect(res.status).to.equal(200)
      expect(res.headers.get('content-type')).not.to.match(/html/)
      expect(res.headers.get('content-disposition')).to.match(/^attachment;/)
    })

    it('answers 400 for a missing or wrong hash', async () => {
      const { file, link } = await postedFile()
      expectAppError(await rawRequest(ctx.server.url, `/files/${file.id}/public`), 400, 'api.file.get_file.public_invalid.app_error')
      const hash = new URL(link).searchParams.get('h')!
      const wrong = (hash[0] === 'A' ? 'B' : 'A') + hash.slice(1)
      expectAppError(await rawRequest(ctx.server.url, `/files/${file.id}/public?h=${wrong}`), 400, 'api.file.get_file.public_invalid.app_error')
      expectAppError(await rawRequest(ctx.server.url, `/files/${file.id}/public?h=short`), 400, 'api.file.get_file.public_invalid.app_error')
    })

    it("does not open another file with one file's hash", async () => {
      const first = await postedFile()
      const second = await postedFile()
      const hash = new URL(first.link).searchParams.get('h')!
      expectAppError(await rawRequest(ctx.server.url, `/files/${second.file.id}/public?h=${hash}`), 400, 'api.file.get_file.public_invalid.app_error')
    })

    it('answers 404 for an unknown file and 400 for a malformed id', async () => {
      expectAppError(await rawRequest(ctx.server.url, `/files/${'a'.repeat(26)}/public?h=x`), 404, 'app.file_info.get.app_error')
      expectAppError(await rawRequest(ctx.server.url, '/files/nope/public?h=x'), 400, 'api.context.invalid_url_param.app_error')
    })

    it('stops working once the post (and so the file) is deleted', async () => {
      const { post, link } = await postedFile()
      expect((await openLink(link)).status).to.equal(200)
      await alice.client.deletePost(post.id)
      expectAppError(await openLink(link), 404, 'app.file_info.get.app_error')
    })
  })

  describe('POST /api/v4/files/public_links/regenerate_salt', () => {
    it('revokes every public link handed out so far; new links work', async () => {
      const { file, link } = await postedFile()
      const admin = await getAdmin(ctx.server)
      const res = await rawRequest(ctx.server.url, '/api/v4/files/public_links/regenerate_salt', { method: 'POST', token: admin.token })
      expect(res.status, res.text).to.equal(200)
      expect(res.json).to.deep.equal({ status: 'OK' })
      expectAppError(await openLink(link), 400, 'api.file.get_file.public_invalid.app_error')
      const fresh = (await alice.client.getFilePublicLink(file.id)).link
      expect(fresh).not.to.equal(link)
      expect((await openLink(fresh)).status).to.equal(200)
    })

    it('refuses a user who is not a system admin with 403', async () => {
      const res = await rawRequest(ctx.server.url, '/api/v4/files/public_links/regenerate_salt', { method: 'POST', token: alice.token })
      expectAppError(res, 403, 'api.context.permissions.app_error')
    })
  })
})
