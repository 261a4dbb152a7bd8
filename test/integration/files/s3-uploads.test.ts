/** With S3_* settings the server keeps uploads, thumbnails and previews in the bucket (an in-process s3rver). */
import path from 'node:path'
import { expect } from 'chai'
import type { Post } from '@mattermost/types/posts'
import sharp from 'sharp'
import { createS3Storage, type S3StorageOptions } from '../../../core/files/storage/index.ts'
import { BACKENDS, startTestServer, type TestServer } from '../../helpers/server.ts'
import { startS3Server, type TestS3Server } from '../../helpers/s3-server.ts'
import { makeChannel, makeTeam, makeUpload, makeUser, type UserSession } from '../../helpers/factories.ts'

describe('file uploads on an S3-compatible store', function () {
  this.timeout(60_000)
  let s3: TestS3Server
  let server: TestServer
  let alice: UserSession
  let options: S3StorageOptions

  before(async function () {
    this.timeout(120_000)
    s3 = await startS3Server('uploads')
    options = s3.options
    server = await startTestServer({
      db: BACKENDS[0]!,
      config: { s3Bucket: options.bucket, s3Endpoint: options.endpoint, s3AccessKeyId: 'S3RVER', s3SecretAccessKey: 'S3RVER', s3PathStyle: true, enablePublicLink: true },
    })
    alice = await makeUser(server)
  })

  after(async () => {
    await server?.close()
    await s3?.close()
  })

  it('stores the file and its renditions in the bucket and serves them back', async () => {
    const team = await makeTeam(alice.client)
    const channel = await makeChannel(alice.client, team.id)
    const data = await sharp({ create: { width: 200, height: 150, channels: 3, background: '#00aa00' } }).png().toBuffer()
    const form = new FormData()
    form.append('channel_id', channel.id)
    form.append('files', new Blob([data]), 'green.png')
    const info = (await alice.client.uploadFile(form)).file_infos[0]!
    expect(info).to.include({ width: 200, height: 150, has_preview_image: true })

    const keys = await createS3Storage(options).list('data/')
    expect(keys.filter((k) => k.includes(`/${info.id}/`)).map((k) => path.basename(k)).sort()).to.deep.equal(['green.png', 'green_preview.jpg', 'green_thumb.jpg'])

    const get = (suffix: string) => fetch(`${server.url}/api/v4/files/${info.id}${suffix}`, { headers: { Authorization: `Bearer ${alice.token}` } })
    expect(Buffer.from(await (await get('')).arrayBuffer()).equals(data)).to.equal(true)
    expect(await sharp(Buffer.from(await (await get('/thumbnail')).arrayBuffer())).metadata()).to.include({ format: 'jpeg', width: 120, height: 90 })
  })

  it('serves a posted file through its public link from the bucket', async () => {
    const team = await makeTeam(alice.client)
    const channel = await makeChannel(alice.client, team.id)
    const info = await makeUpload(alice.client, channel.id, 'shared.txt', Buffer.from('from the bucket'))
    await alice.client.createPost({ channel_id: channel.id, message: 'shared', file_ids: [info.id] } as Post)
    const link = new URL((await alice.client.getFilePublicLink(info.id)).link)
    const res = await fetch(server.url + link.pathname + link.search)
    expect(res.status).to.equal(200)
    expect(await res.text()).to.equal('from the bucket')
  })

  it('removes an orphaned upload and its renditions from the bucket', async () => {
    const team = await makeTeam(alice.client)
    const channel = await makeChannel(alice.client, team.id)
    const data = await sharp({ create: { width: 50, height: 40, channels: 3, background: '#0000aa' } }).png().toBuffer()
    const info = await makeUpload(alice.client, channel.id, 'orphan.png', data)
    const storage = createS3Storage(options)
    const objects = async () => (await storage.list('data/')).filter((k) => k.includes(`/${info.id}/`))
    expect(await objects()).to.have.length(3)
    await server.fileCleanup.runOnce(Date.now() + 25 * 60 * 60 * 1000)
    expect(await objects()).to.deep.equal([])
  })
})
