/** File uploads, downloads, thumbnails and previews through Client4 (Mattermost api4/file.go, app/file.go). */
import { expect } from 'chai'
import sharp from 'sharp'
import type { FileInfo, FileUploadResponse } from '@mattermost/types/files'
import type { Post } from '@mattermost/types/posts'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectAppError, expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { makeChannel, makeChannelWith, makeTeamWithMembers, makeUser, type Client, type TeamWorld, type UserSession } from '../helpers/factories.ts'

const MAX_FILE_SIZE = 300_000

function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer()
}

function form(channelId: string | undefined, files: { name: string; data: Buffer; type?: string }[], clientIds: string[] = []): FormData {
  const data = new FormData()
  if (channelId !== undefined) data.append('channel_id', channelId)
  for (const id of clientIds) data.append('client_ids', id)
  for (const file of files) data.append('files', new Blob([file.data], { type: file.type ?? 'application/octet-stream' }), file.name)
  return data
}

async function upload(client: Client, channelId: string, name: string, data: Buffer): Promise<FileInfo> {
  const res: FileUploadResponse = await client.uploadFile(form(channelId, [{ name, data }]))
  return res.file_infos[0]!
}

async function download(url: string, token: string, path: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(url + path, { headers: { Authorization: `Bearer ${token}` } })
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
}

forEachBackend((backend) => {
  const ctx = useTestServer(backend, { maxFileSize: MAX_FILE_SIZE })
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession
  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 2)
    alice = world.members[0]!
    bob = world.members[1]!
  })

  /** A fresh private channel holding the owner and alice (not bob). */
  const aliceChannel = () => makeChannelWith(world, [alice], 'P')

  describe('POST /api/v4/files', () => {
    it('stores a multipart PNG and answers 201 with its FileInfo and client_ids', async () => {
      const channel = await aliceChannel()
      const data = await png(300, 200)
      const res = await alice.client.uploadFile(form(channel.id, [{ name: 'diagram.png', data, type: 'image/png' }], ['client-1']))
      expect(res.client_ids).to.deep.equal(['client-1'])
      expect(res.file_infos).to.have.length(1)
      const info = res.file_infos[0]!
      expect(info).to.include({ user_id: alice.user.id, channel_id: channel.id, name: 'diagram.png', extension: 'png', size: data.length, mime_type: 'image/png', width: 300, height: 200, has_preview_image: true, delete_at: 0 })
      expect(info.id).to.match(/^[a-z0-9]{26}$/)
      expect(info).not.to.have.any.keys('post_id', 'path', 'thumbnail_path', 'preview_path')
      expect(Buffer.from(info.mini_preview!, 'base64').subarray(0, 2).toString('hex')).to.equal('ffd8')
    })

    it('keeps a UTF-8 file name of a multipart part', async () => {
      const channel = await aliceChannel()
      const info = await upload(alice.client, channel.id, 'résumé 日本.txt', Buffer.from('x'))
      expect(info.name).to.equal('résumé 日本.txt')
    })

    it('stores several files of one request, in order', async () => {
      const channel = await aliceChannel()
      const res = await alice.client.uploadFile(form(channel.id, [{ name: 'a.txt', data: Buffer.from('aaa') }, { name: 'b.txt', data: Buffer.from('bb') }]))
      expect(res.file_infos.map((f) => [f.name, f.size])).to.deep.equal([['a.txt', 3], ['b.txt', 2]])
      expect(res.client_ids).to.deep.equal([])
    })

    it('takes channel_id from the query string', async () => {
      const channel = await aliceChannel()
      const ok = await fetch(`${ctx.server.url}/api/v4/files?channel_id=${channel.id}`, {
        method: 'POST', headers: { Authorization: `Bearer ${alice.token}` }, body: form(undefined, [{ name: 'q.txt', data: Buffer.from('query') }]),
      })
      expect(ok.status).to.equal(201)
      expect(((await ok.json()) as FileUploadResponse).file_infos[0]).to.include({ name: 'q.txt', channel_id: channel.id })
    })

    it('stores a raw body with ?channel_id=&filename=&client_id=', async () => {
      const channel = await aliceChannel()
      const data = await png(40, 30)
      const res = await rawRequest(ctx.server.url, `/api/v4/files?channel_id=${channel.id}&filename=raw.png&client_id=c9`, {
        token: alice.token, rawBody: data, headers: { 'Content-Type': 'application/octet-stream' },
      })
      expect(res.status, res.text).to.equal(201)
      const body = res.json as FileUploadResponse
      expect(body.client_ids).to.deep.equal(['c9'])
      expect(body.file_infos[0]).to.include({ name: 'raw.png', mime_type: 'image/png', width: 40, height: 30, size: data.length })
    })

    it('reads the content type from the bytes, not from the name or the Content-Type header', async () => {
      const channel = await aliceChannel()
      const res = await alice.client.uploadFile(form(channel.id, [{ name: 'notes.txt', data: await png(10, 10), type: 'text/plain' }]))
      expect(res.file_infos[0]).to.include({ name: 'notes.txt', extension: 'txt', mime_type: 'image/png' })
    })

    it('keeps only the base name of a path-like name and drops control characters', async () => {
      const channel = await aliceChannel()
      const res = await rawRequest(ctx.server.url, `/api/v4/files?channel_id=${channel.id}&filename=${encodeURIComponent('../../etc/pass\r\nwd\u202e.txt')}`, {
        token: alice.token, rawBody: Buffer.from('x'), headers: { 'Content-Type': 'application/octet-stream' },
      })
      expect(res.status, res.text).to.equal(201)
      expect((res.json as FileUploadResponse).file_infos[0]!.name).to.equal('passwd.txt')
    })

    it('shortens a very long name to 255 characters, keeping the extension', async () => {
      const channel = await aliceChannel()
      const info = await upload(alice.client, channel.id, `${'n'.repeat(400)}.pdf`, Buffer.from('%PDF-1.4 not really'))
      expect(info.name).to.have.length(255)
      expect(info.extension).to.equal('pdf')
    })

    it('refuses a file over MAX_FILE_SIZE with 413', async () => {
      const channel = await aliceChannel()
      await expectStatus(alice.client.uploadFile(form(channel.id, [{ name: 'big.bin', data: Buffer.alloc(MAX_FILE_SIZE + 1) }])), 413, 'api.file.upload_file.too_large_detailed.app_error')
    })

    it('refuses a chunked multipart request whose files together pass MAX_FILE_SIZE with 413', async () => {
      const channel = await aliceChannel()
      const body = new Response(form(channel.id, [{ name: 'a.bin', data: Buffer.alloc(MAX_FILE_SIZE / 2 + 10) }, { name: 'b.bin', data: Buffer.alloc(MAX_FILE_SIZE / 2 + 10) }]))
      const contentType = body.headers.get('content-type')!
      // A stream body has no Content-Length, so only the running count can catch it.
      const res = await fetch(`${ctx.server.url}/api/v4/files`, {
        method: 'POST', headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': contentType }, body: body.body, duplex: 'half',
      } as RequestInit)
      expect(res.status).to.equal(413)
      expect(((await res.json()) as { id: string }).id).to.equal('api.file.upload_file.too_large_detailed.app_error')
    })

    it('refuses a raw body over MAX_FILE_SIZE with 413', async () => {
      const channel = await aliceChannel()
      const res = await rawRequest(ctx.server.url, `/api/v4/files?channel_id=${channel.id}&filename=big.bin`, {
        token: alice.token, rawBody: Buffer.alloc(MAX_FILE_SIZE + 10), headers: { 'Content-Type': 'application/octet-stream' },
      })
      expectAppError(res, 413, 'api.file.upload_file.too_large_detailed.app_error')
      expect((res.json as { message: string }).message).to.equal(`Unable to upload file big.bin. ${MAX_FILE_SIZE + 10} bytes exceeds the maximum allowed ${MAX_FILE_SIZE} bytes.`)
    })

    it('refuses a chunked raw body over MAX_FILE_SIZE with 413', async () => {
      const channel = await aliceChannel()
      const body = new Blob([Buffer.alloc(MAX_FILE_SIZE + 10)]).stream()
      const res = await fetch(`${ctx.server.url}/api/v4/files?channel_id=${channel.id}&filename=big.bin`, {
        method: 'POST', headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'application/octet-stream' }, body, duplex: 'half',
      } as RequestInit)
      expect(res.status).to.equal(413)
    })

    it('refuses a user who is not a member of the channel with 403', async () => {
      const channel = await aliceChannel()
      await expectStatus(bob.client.uploadFile(form(channel.id, [{ name: 'x.txt', data: Buffer.from('x') }])), 403, 'api.context.permissions.app_error')
    })

    it('refuses an unknown channel with 403 and a missing or malformed channel_id with 400', async () => {
      await expectStatus(alice.client.uploadFile(form('a'.repeat(26), [{ name: 'x.txt', data: Buffer.from('x') }])), 403, 'api.context.permissions.app_error')
      await expectStatus(alice.client.uploadFile(form(undefined, [{ name: 'x.txt', data: Buffer.from('x') }])), 400, 'api.context.invalid_param.app_error')
      await expectStatus(alice.client.uploadFile(form('not-an-id', [{ name: 'x.txt', data: Buffer.from('x') }])), 400, 'api.context.invalid_url_param.app_error')
    })

    it('answers a request without files 201 with empty lists, as Mattermost', async () => {
      const channel = await aliceChannel()
      expect(await alice.client.uploadFile(form(channel.id, []))).to.deep.equal({ file_infos: [], client_ids: [] })
    })

    it('refuses a raw body without filename, or with Content-Length 0, with 400', async () => {
      const channel = await aliceChannel()
      const noName = await rawRequest(ctx.server.url, `/api/v4/files?channel_id=${channel.id}`, { token: alice.token, rawBody: Buffer.from('x'), headers: { 'Content-Type': 'application/octet-stream' } })
      expectAppError(noName, 400, 'api.context.invalid_url_param.app_error')
      const empty = await rawRequest(ctx.server.url, `/api/v4/files?channel_id=${channel.id}&filename=e.txt`, { token: alice.token, rawBody: Buffer.alloc(0), headers: { 'Content-Type': 'application/octet-stream' } })
      expectAppError(empty, 400, 'api.file.upload_file.read_request.app_error')
    })

    it('refuses an upload to an archived channel with 403', async () => {
      const channel = await aliceChannel()
      await world.owner.client.deleteChannel(channel.id)
      await expectStatus(alice.client.uploadFile(form(channel.id, [{ name: 'x.txt', data: Buffer.from('x') }])), 403, 'api.context.permissions.app_error')
    })

    it('refuses an unauthenticated upload with 401', async () => {
      const channel = await aliceChannel()
      const res = await fetch(`${ctx.server.url}/api/v4/files`, { method: 'POST', body: form(channel.id, [{ name: 'x.txt', data: Buffer.from('x') }]) })
      expect(res.status).to.equal(401)
    })
  })

  describe('GET /api/v4/files/{file_id}', () => {
    it('returns the bytes inline for an image and as an attachment with download=1', async () => {
      const channel = await aliceChannel()
      const data = await png(20, 20)
      const info = await upload(alice.client, channel.id, 'pic.png', data)
      const inline = await download(ctx.server.url, alice.token, `/api/v4/files/${info.id}`)
      expect(inline.status).to.equal(200)
      expect(inline.body.equals(data)).to.equal(true)
      expect(inline.headers.get('content-type')).to.equal('image/png')
      expect(inline.headers.get('content-disposition')).to.match(/^inline; filename="pic.png"/)
      const attached = await download(ctx.server.url, alice.token, `/api/v4/files/${info.id}?download=1`)
      expect(attached.headers.get('content-disposition')).to.match(/^attachment; filename="pic.png"/)
    })

    it('downloads HTML as plain text in an attachment, never inline', async () => {
      const channel = await aliceChannel()
      const info = await upload(alice.client, channel.id, 'page.html', Buffer.from('<html><script>alert(1)</script></html>'))
      const res = await download(ctx.server.url, alice.token, `/api/v4/files/${info.id}`)
      expect(res.headers.get('content-disposition')).to.match(/^attachment;/)
      expect(res.headers.get('content-type')).to.not.match(/html/)
    })

    it('encodes quotes, semicolons and non-ASCII in the file name so no header can be injected', async () => {
      const channel = await aliceChannel()
      const name = 'a";b=c; résumé.txt'
      const uploaded = await rawRequest(ctx.server.url, `/api/v4/files?channel_id=${channel.id}&filename=${encodeURIComponent(name)}`, {
        token: alice.token, rawBody: Buffer.from('x'), headers: { 'Content-Type': 'application/octet-stream' },
      })
      const info = (uploaded.json as FileUploadResponse).file_infos[0]!
      expect(info.name).to.equal(name)
      const res = await download(ctx.server.url, alice.token, `/api/v4/files/${info.id}`)
      expect(res.headers.get('content-disposition')).to.equal(`attachment; filename="a__b=c_ r_sum_.txt"; filename*=UTF-8''${encodeURIComponent('a";b=c; résumé.txt')}`)
    })

    it('lets another member of the channel read the file', async () => {
      const channel = await aliceChannel()
      const info = await upload(alice.client, channel.id, 'shared.txt', Buffer.from('shared'))
      const res = await download(ctx.server.url, world.owner.token, `/api/v4/files/${info.id}`)
      expect(res.status).to.equal(200)
      expect(res.body.toString()).to.equal('shared')
    })

    it('refuses a user who cannot read the channel with 403', async () => {
      const channel = await aliceChannel()
      const info = await upload(alice.client, channel.id, 'secret.txt', Buffer.from('secret'))
      const res = await download(ctx.server.url, bob.token, `/api/v4/files/${info.id}`)
      expect(res.status).to.equal(403)
    })

    it('answers 404 for an unknown file', async () => {
      const res = await download(ctx.server.url, alice.token, `/api/v4/files/${'a'.repeat(26)}`)
      expect(res.status).to.equal(404)
    })
  })

  describe('GET /api/v4/files/{file_id}/info', () => {
    it('returns the FileInfo the upload returned', async () => {
      const channel = await aliceChannel()
      const info = await upload(alice.client, channel.id, 'info.png', await png(64, 48))
      const res = await rawRequest(ctx.server.url, `/api/v4/files/${info.id}/info`, { token: alice.token })
      expect(res.status).to.equal(200)
      expect(res.json).to.deep.equal(info)
      expect(res.headers.get('cache-control')).to.equal('max-age=2592000, private')
    })

    it('refuses a user outside the channel with 403', async () => {
      const channel = await aliceChannel()
      const info = await upload(alice.client, channel.id, 'info.txt', Buffer.from('x'))
      expectAppError(await rawRequest(ctx.server.url, `/api/v4/files/${info.id}/info`, { token: bob.token }), 403, 'api.context.permissions.app_error')
    })
  })

  describe('GET /api/v4/files/{file_id}/link', () => {
    it('answers 403 public links disabled, as Mattermost by default', async () => {
      const channel = await aliceChannel()
      const info = await upload(alice.client, channel.id, 'link.txt', Buffer.from('l'))
      await expectStatus(alice.client.getFilePublicLink(info.id), 403, 'api.file.get_public_link.disabled.app_error')
    })

    it('is announced as EnablePublicLink false in the client config', async () => {
      const config = (await alice.client.getClientConfig()) as unknown as Record<string, string>
      expect(config.EnablePublicLink).to.equal('false')
    })

    it('serves no public file either: GET /files/{id}/public answers 403', async () => {
      const channel = await aliceChannel()
      const info = await upload(alice.client, channel.id, 'link.txt', Buffer.from('l'))
      expectAppError(await rawRequest(ctx.server.url, `/files/${info.id}/public?h=anything`), 403, 'api.file.get_public_link.disabled.app_error')
    })
  })

  describe('GET /api/v4/files/{file_id}/thumbnail and /preview', () => {
    it('serves a JPEG thumbnail that fits 120×100 and a preview no wider than 1920', async () => {
      const channel = await aliceChannel()
      const info = await upload(alice.client, channel.id, 'wide.png', await png(2400, 600))
      const thumb = await download(ctx.server.url, alice.token, `/api/v4/files/${info.id}/thumbnail`)
      expect(thumb.status).to.equal(200)
      expect(thumb.headers.get('content-type')).to.equal('image/jpeg')
      const thumbMeta = await sharp(thumb.body).metadata()
      expect(thumbMeta).to.include({ format: 'jpeg', width: 120, height: 30 })
      const preview = await download(ctx.server.url, alice.token, `/api/v4/files/${info.id}/preview`)
      expect(await sharp(preview.body).metadata()).to.include({ format: 'jpeg', width: 1920, height: 480 })
    })

    it('applies the EXIF orientation to the size and the renditions', async () => {
      const channel = await aliceChannel()
      const rotated = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#3366ff' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer()
      const info = await upload(alice.client, channel.id, 'phone.jpg', rotated)
      expect(info).to.include({ mime_type: 'image/jpeg', width: 100, height: 200 })
      const preview = await download(ctx.server.url, alice.token, `/api/v4/files/${info.id}/preview`)
      expect(await sharp(preview.body).metadata()).to.include({ width: 100, height: 200 })
    })

    it('answers 400 with Mattermost ids for a file without thumbnail or preview', async () => {
      const channel = await aliceChannel()
      const info = await upload(alice.client, channel.id, 'plain.txt', Buffer.from('no image'))
      expectAppError(await rawRequest(ctx.server.url, `/api/v4/files/${info.id}/thumbnail`, { token: alice.token }), 400, 'api.file.get_file_thumbnail.no_thumbnail.app_error')
      expectAppError(await rawRequest(ctx.server.url, `/api/v4/files/${info.id}/preview`, { token: alice.token }), 400, 'api.file.get_file_preview.no_preview.app_error')
    })

    it('stores a corrupt image without previews', async () => {
      const channel = await aliceChannel()
      const good = await png(50, 50)
      const corrupt = Buffer.concat([good.subarray(0, 40), Buffer.alloc(200, 0x41)])
      const info = await upload(alice.client, channel.id, 'broken.png', corrupt)
      expect(info).to.include({ mime_type: 'image/png', size: corrupt.length, mini_preview: null })
      expect(info).not.to.have.any.keys('has_preview_image', 'width', 'height')
      const res = await download(ctx.server.url, alice.token, `/api/v4/files/${info.id}`)
      expect(res.body.equals(corrupt)).to.equal(true)
    })

    it('stores an image of too many pixels (a decompression bomb) without previews', async function () {
      this.timeout(60_000)
      const channel = await aliceChannel()
      // 6000×6000 = 36 M pixels, over the 33 M limit, in a few kB of PNG.
      const bomb = await sharp(Buffer.alloc(6000 * 6000), { raw: { width: 6000, height: 6000, channels: 1 } }).png({ compressionLevel: 9 }).toBuffer()
      expect(bomb.length).to.be.below(MAX_FILE_SIZE)
      const info = await upload(alice.client, channel.id, 'bomb.png', bomb)
      expect(info).to.include({ mime_type: 'image/png', mini_preview: null })
      expect(info).not.to.have.any.keys('has_preview_image')
      const channelAfter = await makeChannel(alice.client, world.team.id)
      expect(channelAfter.id).to.match(/^[a-z0-9]{26}$/)
    })
  })

  describe('a user without an account in the team', () => {
    it('cannot read a file of a public channel of that team', async () => {
      const channel = await makeChannelWith(world, [alice], 'O')
      const info = await upload(alice.client, channel.id, 'public.txt', Buffer.from('x'))
      const outsider = await makeUser(ctx.server)
      expect((await download(ctx.server.url, outsider.token, `/api/v4/files/${info.id}`)).status).to.equal(403)
      expect((await download(ctx.server.url, bob.token, `/api/v4/files/${info.id}`)).status).to.equal(200)
    })
  })

  describe('POST /api/v4/posts with file_ids', () => {
    it("attaches the author's uploads and returns them in metadata.files", async () => {
      const channel = await aliceChannel()
      const first = await upload(alice.client, channel.id, 'one.png', await png(30, 20))
      const second = await upload(alice.client, channel.id, 'two.txt', Buffer.from('two'))
      const post = await alice.client.createPost({ channel_id: channel.id, message: 'with files', file_ids: [first.id, second.id] } as Post)
      expect(post.file_ids).to.deep.equal([first.id, second.id])
      expect(post.metadata.files!.map((f) => [f.id, f.post_id])).to.deep.equal([[first.id, post.id], [second.id, post.id]])
      const fetched = await world.owner.client.getPost(post.id)
      expect(fetched.metadata.files!.map((f) => f.id)).to.deep.equal([first.id, second.id])
      const info = await rawRequest(ctx.server.url, `/api/v4/files/${first.id}/info`, { token: alice.token })
      expect(info.json).to.include({ post_id: post.id })
    })

    it('lists the files in metadata.files of the channel timeline', async () => {
      const channel = await aliceChannel()
      const file = await upload(alice.client, channel.id, 'timeline.txt', Buffer.from('t'))
      const post = await alice.client.createPost({ channel_id: channel.id, message: 'timeline', file_ids: [file.id] } as Post)
      const list = await alice.client.getPosts(channel.id)
      expect(list.posts[post.id]!.metadata.files!.map((f) => f.id)).to.deep.equal([file.id])
    })

    it('lists the files in metadata.files of a thread and of flagged posts', async () => {
      const channel = await aliceChannel()
      const file = await upload(alice.client, channel.id, 'flag.txt', Buffer.from('f'))
      const post = await alice.client.createPost({ channel_id: channel.id, message: 'flag me', file_ids: [file.id] } as Post)
      const thread = await alice.client.getPostThread(post.id)
      expect(thread.posts[post.id]!.metadata.files!.map((f) => f.id)).to.deep.equal([file.id])
      await alice.client.savePreferences(alice.user.id, [{ user_id: alice.user.id, category: 'flagged_post', name: post.id, value: 'true' }])
      const flagged = await alice.client.getFlaggedPosts(alice.user.id)
      expect(flagged.posts[post.id]!.metadata.files!.map((f) => f.id)).to.deep.equal([file.id])
    })

    it('lists a post\'s files with GET /posts/{id}/files/info, and refuses a reader outside the channel', async () => {
      const channel = await aliceChannel()
      const file = await upload(alice.client, channel.id, 'listed.txt', Buffer.from('l'))
      const post = await alice.client.createPost({ channel_id: channel.id, message: 'listed', file_ids: [file.id] } as Post)
      const infos = await world.owner.client.getFileInfosForPost(post.id)
      expect(infos.map((f) => [f.id, f.post_id])).to.deep.equal([[file.id, post.id]])
      await expectStatus(bob.client.getFileInfosForPost(post.id), 403)
    })

    it('attaches files to a reply', async () => {
      const channel = await aliceChannel()
      const root = await alice.client.createPost({ channel_id: channel.id, message: 'root' } as Post)
      const file = await upload(alice.client, channel.id, 'reply.txt', Buffer.from('r'))
      const reply = await alice.client.createPost({ channel_id: channel.id, message: 'reply', root_id: root.id, file_ids: [file.id] } as Post)
      expect(reply.metadata.files!.map((f) => f.id)).to.deep.equal([file.id])
    })

    it("refuses someone else's file with 400 and creates no post", async () => {
      const channel = await aliceChannel()
      const ownersFile = await upload(world.owner.client, channel.id, 'owner.txt', Buffer.from('o'))
      await expectStatus(alice.client.createPost({ channel_id: channel.id, message: 'steal', file_ids: [ownersFile.id] } as Post), 400, 'api.context.invalid_param.app_error')
      const list = await alice.client.getPosts(channel.id)
      expect(Object.values(list.posts).map((p) => p.message)).not.to.include('steal')
      const info = await rawRequest(ctx.server.url, `/api/v4/files/${ownersFile.id}/info`, { token: alice.token })
      expect(info.json).not.to.have.property('post_id')
    })

    it('refuses a file uploaded to another channel, one already attached, and an unknown id with 400', async () => {
      const channel = await aliceChannel()
      const other = await aliceChannel()
      const elsewhere = await upload(alice.client, other.id, 'elsewhere.txt', Buffer.from('e'))
      await expectStatus(alice.client.createPost({ channel_id: channel.id, message: 'x', file_ids: [elsewhere.id] } as Post), 400, 'api.context.invalid_param.app_error')
      const used = await upload(alice.client, channel.id, 'used.txt', Buffer.from('u'))
      await alice.client.createPost({ channel_id: channel.id, message: 'first', file_ids: [used.id] } as Post)
      await expectStatus(alice.client.createPost({ channel_id: channel.id, message: 'again', file_ids: [used.id] } as Post), 400, 'api.context.invalid_param.app_error')
      await expectStatus(alice.client.createPost({ channel_id: channel.id, message: 'x', file_ids: ['a'.repeat(26)] } as Post), 400, 'api.context.invalid_param.app_error')
    })

    it("deleting the post soft-deletes its files, and a deleted root takes its replies' files", async () => {
      const channel = await aliceChannel()
      const file = await upload(alice.client, channel.id, 'doomed.txt', Buffer.from('d'))
      const root = await alice.client.createPost({ channel_id: channel.id, message: 'doomed', file_ids: [file.id] } as Post)
      const replyFile = await upload(alice.client, channel.id, 'doomed-reply.txt', Buffer.from('d'))
      await alice.client.createPost({ channel_id: channel.id, message: 'reply', root_id: root.id, file_ids: [replyFile.id] } as Post)
      await alice.client.deletePost(root.id)
      for (const id of [file.id, replyFile.id]) {
        expectAppError(await rawRequest(ctx.server.url, `/api/v4/files/${id}/info`, { token: alice.token }), 404)
        expect((await download(ctx.server.url, alice.token, `/api/v4/files/${id}`)).status).to.equal(404)
      }
    })
  })
})
