/** The file_infos store on each backend: insert, attach to a post, soft delete with the post. */
import { expect } from 'chai'
import { newId } from '../../../core/ids.ts'
import { createFileStore, type FileInfoRecord, type FileStore } from '../../../core/files/store.ts'
import { presentFileInfo } from '../../../core/present/file-info.ts'
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts'
import { BACKENDS } from '../../helpers/server.ts'

function fileInfo(fields: Partial<FileInfoRecord> = {}): FileInfoRecord {
  const id = newId()
  return {
    id, userId: newId(), postId: '', channelId: newId(), createAt: 1000, updateAt: 1000, deleteAt: 0,
    path: `data/${id}/a.png`, thumbnailPath: '', previewPath: '', name: 'a.png', extension: 'png', size: 5,
    mimeType: 'image/png', width: 0, height: 0, hasPreviewImage: false, miniPreview: null, content: null,
    ...fields,
  }
}

for (const backend of BACKENDS) {
  describe(`file store on ${backend === 'pglite' ? 'PGlite' : 'PostgreSQL'}`, function () {
    this.timeout(30_000)
    let opened: TestDatabase
    let files: FileStore

    before(async function () {
      this.timeout(120_000)
      opened = await createTestDatabase(backend)
      files = createFileStore(opened.db)
    })
    after(async () => {
      await opened?.cleanup()
    })

    it('reads back an inserted file with numeric size and times', async () => {
      const file = fileInfo({ size: 5_000_000_000, width: 800, height: 600, miniPreview: 'abc' })
      await files.insert(file)
      expect(await files.getById(file.id)).to.deep.equal(file)
    })

    it("attaches only the uploader's own live, unattached files in the post's channel", async () => {
      const userId = newId()
      const channelId = newId()
      const own = fileInfo({ userId, channelId })
      const otherUser = fileInfo({ channelId })
      const otherChannel = fileInfo({ userId })
      const attached = fileInfo({ userId, channelId, postId: newId() })
      const deleted = fileInfo({ userId, channelId, deleteAt: 5 })
      for (const f of [own, otherUser, otherChannel, attached, deleted]) await files.insert(f)
      const postId = newId()
      const ids = [own, otherUser, otherChannel, attached, deleted].map((f) => f.id)
      expect(await files.attachToPost(opened.db.prisma, ids, { postId, userId, channelId, at: 2000 })).to.equal(1)
      expect([...(await files.forPosts([postId])).get(postId)!].map((f) => f.id)).to.deep.equal([own.id])
      expect((await files.getById(attached.id))!.postId).to.equal(attached.postId)
    })

    it("soft-deletes a post's files", async () => {
      const postId = newId()
      const file = fileInfo({ postId })
      await files.insert(file)
      await files.softDeleteForPosts(opened.db.prisma, [postId], 3000)
      expect((await files.getById(file.id))!.deleteAt).to.equal(3000)
      expect((await files.forPosts([postId])).get(postId)).to.equal(undefined)
    })
  })
}

describe('FileInfo presenter', () => {
  it('omits post_id, width, height and has_preview_image when empty, as Mattermost', () => {
    const json = presentFileInfo(fileInfo())
    expect(json).not.to.have.any.keys('post_id', 'width', 'height', 'has_preview_image', 'path', 'content')
    expect(json).to.include({ mini_preview: null, remote_id: '', archived: false, extension: 'png', mime_type: 'image/png' })
  })

  it('includes them when set', () => {
    const json = presentFileInfo(fileInfo({ postId: 'p'.repeat(26), width: 10, height: 20, hasPreviewImage: true }))
    expect(json).to.include({ post_id: 'p'.repeat(26), width: 10, height: 20, has_preview_image: true })
  })
})
