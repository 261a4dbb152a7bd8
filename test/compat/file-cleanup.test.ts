/** The file cleanup job of a running server, driven with a later clock: orphaned uploads and deleted posts' files go. */
import { expect } from 'chai'
import type { Post } from '@mattermost/types/posts'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectAppError, rawRequest } from '../helpers/expect-status.ts'
import { makeChannelWith, makeTeamWithMembers, makeUpload, type TeamWorld, type UserSession } from '../helpers/factories.ts'

const HOUR = 60 * 60 * 1000

const upload = (session: UserSession, channelId: string, name: string) => makeUpload(session.client, channelId, name, Buffer.from(`bytes of ${name}`))

forEachBackend((backend) => {
  const ctx = useTestServer(backend, { orphanedUploadHours: 24, deletedFileRetentionDays: 7 })
  let world: TeamWorld
  let alice: UserSession
  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 1)
    alice = world.members[0]!
  })

  const info = (id: string) => rawRequest(ctx.server.url, `/api/v4/files/${id}/info`, { token: alice.token })

  describe('file cleanup job', () => {
    it('deletes an upload never attached to a post once ORPHANED_UPLOAD_HOURS old, and keeps posted files', async () => {
      const channel = await makeChannelWith(world, [alice], 'P')
      const orphan = await upload(alice, channel.id, 'never-posted.txt')
      const posted = await upload(alice, channel.id, 'posted.txt')
      await alice.client.createPost({ channel_id: channel.id, message: 'with a file', file_ids: [posted.id] } as Post)

      await ctx.server.fileCleanup.runOnce(Date.now() + 23 * HOUR)
      expect((await info(orphan.id)).status, 'not old enough yet').to.equal(200)

      const report = await ctx.server.fileCleanup.runOnce(Date.now() + 25 * HOUR)
      expect(report.orphans).to.be.at.least(1)
      expectAppError(await info(orphan.id), 404, 'app.file_info.get.app_error')
      const download = await fetch(`${ctx.server.url}/api/v4/files/${posted.id}`, { headers: { Authorization: `Bearer ${alice.token}` } })
      expect(await download.text()).to.equal('bytes of posted.txt')
    })

    it('purges the files of a post deleted longer ago than DELETED_FILE_RETENTION_DAYS', async () => {
      const channel = await makeChannelWith(world, [alice], 'P')
      const file = await upload(alice, channel.id, 'doomed.txt')
      const post = await alice.client.createPost({ channel_id: channel.id, message: 'to delete', file_ids: [file.id] } as Post)
      await alice.client.deletePost(post.id)
      expect((await ctx.server.fileCleanup.runOnce(Date.now() + 6 * 24 * HOUR)).purged).to.equal(0)
      expect((await ctx.server.fileCleanup.runOnce(Date.now() + 8 * 24 * HOUR)).purged).to.be.at.least(1)
      expectAppError(await info(file.id), 404, 'app.file_info.get.app_error')
    })
  })
})
