/** Files: upload (store the bytes and their FileInfo, with image previews), read access and downloads. */
import type { Readable } from 'node:stream'
import { AppError, forbidden, invalidParam, invalidUrlParam } from '../errors.ts'
import { newId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { Logger } from '../log.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { ChannelService } from '../channels/service.ts'
import type { ChannelRecord } from '../channels/store.ts'
import { StorageNotFoundError, type FileStorage } from './storage/index.ts'
import type { FileInfoRecord, FileStore } from './store.ts'
import { extensionOf, sanitizeFileName, sniffMimeType } from './names.ts'
import { isPreviewable, renderImage } from './images.ts'
import { extractText } from './extract-text.ts'
import { isProgramLimitExceeded } from '../db/index.ts'

export interface FileServiceOptions {
  store: FileStore
  storage: FileStorage
  channels: ChannelService
  log: Logger
  maxFileSize: number
}

export type FileRendition = 'file' | 'thumbnail' | 'preview'

/** 413 for a file over MAX_FILE_SIZE (app/file.go UploadFileX); `length` is the size the request declared or sent. */
export function fileTooLarge(name: string, limit: number, length: number): AppError {
  return new AppError('api.file.upload_file.too_large_detailed.app_error', `Unable to upload file ${name}. ${length} bytes exceeds the maximum allowed ${limit} bytes.`, 413, {
    context: { limit, length },
  })
}

/** 404 for an unknown or deleted file (Mattermost's GetFileInfo). */
export function fileInfoNotFound(id: string): AppError {
  return new AppError('app.file_info.get.app_error', 'Unable to get the file info.', 404, { context: { resource: 'file_info', resourceId: id } })
}

function datePrefix(at: number): string {
  return new Date(at).toISOString().slice(0, 10).replace(/-/g, '')
}

export function createFileService(options: FileServiceOptions) {
  const { store, storage, channels, log, maxFileSize } = options

  async function canReadFile(session: AuthSession, file: FileInfoRecord): Promise<boolean> {
    if (file.userId === session.userId) return true
    const channel = await channels.getCached(file.channelId).catch(() => null)
    return channel !== null && (await channels.canRead(session, channel))
  }

  /** Adds thumbnail, preview, mini preview and size to an image's FileInfo; other files are left as they are. */
  async function addImageRenditions(file: FileInfoRecord, data: Buffer, dir: string): Promise<void> {
    if (!isPreviewable(file.mimeType)) return
    const image = await renderImage(data, (err) => log.info({ fileId: file.id, mimeType: file.mimeType, err: (err as Error).message }, 'image stored without previews'))
    if (!image) return
    const base = file.name.slice(0, file.name.length - (file.extension ? file.extension.length + 1 : 0)) || 'image'
    file.thumbnailPath = `${dir}/${base}_thumb.jpg`
    file.previewPath = `${dir}/${base}_preview.jpg`
    await storage.put(file.thumbnailPath, image.thumbnail, { contentType: 'image/jpeg' })
    await storage.put(file.previewPath, image.preview, { contentType: 'image/jpeg' })
    Object.assign(file, { width: image.width, height: image.height, hasPreviewImage: true, miniPreview: image.miniPreview })
  }

  /**
   * Inserts the FileInfo. PostgreSQL limits a tsvector to 1 MB, which 1 MB of text passes when it
   * is made of many distinct short words: then the text is cut to a quarter, then left out, so an
   * upload never fails on its extracted text.
   */
  async function insertIndexed(file: FileInfoRecord): Promise<FileInfoRecord> {
    const content = file.content
    if (content === null) return store.insert(file)
    for (const attempt of [content, content.slice(0, content.length / 4)]) {
      try {
        return await store.insert({ ...file, content: attempt })
      } catch (err) {
        if (!isProgramLimitExceeded(err)) throw err
        log.warn({ fileId: file.id, contentLength: attempt.length, err }, 'extracted text too large for the search index; trying with less')
      }
    }
    return store.insert({ ...file, content: null })
  }

  return {
    maxFileSize,

    /**
     * The channel the caller may upload to (Mattermost: upload_file on the channel = membership).
     * @throws AppError 400 `api.context.invalid_url_param.app_error` for a missing or malformed id
     *   (Mattermost's RequireChannelId), 403 for an unknown or archived channel or a non-member.
     */
    async uploadChannel(session: AuthSession, channelId: string | undefined): Promise<ChannelRecord> {
      if (!channelId || !/^[a-z0-9]{26}$/.test(channelId)) throw invalidUrlParam('channel_id')
      // Checked before existence, as Mattermost: an unknown channel is a 403.
      const channel = await channels.getCached(channelId).catch((err: unknown) => {
        throw err instanceof AppError && err.statusCode === 404 ? forbidden(`unknown channel ${channelId}`) : err
      })
      const members = await channels.memberIdsCached(channel.id)
      if (!members.has(session.userId) && !session.isSystemAdmin) throw forbidden(`not a member of channel ${channel.id}`)
      // Mattermost has no error id of its own for this: an archived channel grants no upload_file.
      if (channel.deleteAt > 0) throw forbidden(`channel ${channel.id} is archived`)
      return channel
    },

    /**
     * Stores one uploaded file and its FileInfo.
     * @throws AppError 400 for an unusable name, 413 over the size limit.
     */
    async upload(session: AuthSession, channel: ChannelRecord, input: { name: string; data: Buffer }): Promise<FileInfoRecord> {
      const name = sanitizeFileName(input.name)
      if (!name) throw invalidParam('filename', 'the file name is empty once directories and control characters are removed')
      if (input.data.length > maxFileSize) throw fileTooLarge(name, maxFileSize, input.data.length)
      const extension = extensionOf(name)
      const mimeType = await sniffMimeType(input.data, extension)
      const id = newId()
      const now = nowMillis()
      const dir = `data/${datePrefix(now)}/teams/${channel.teamId || 'noteam'}/channels/${channel.id}/users/${session.userId}/${id}`
      const file: FileInfoRecord = {
        id, userId: session.userId, postId: '', channelId: channel.id, createAt: now, updateAt: now, deleteAt: 0,
        path: `${dir}/${name}`, thumbnailPath: '', previewPath: '', name, extension, size: input.data.length, mimeType,
        width: 0, height: 0, hasPreviewImage: false, miniPreview: null, content: null,
      }
      // Never throws; a PDF may take a few seconds (at most the extraction timeout).
      file.content = await extractText(input.data, mimeType, extension, (err) => log.info({ fileId: id, mimeType, err: (err as Error).message }, 'file stored without extracted text'))
      await storage.put(file.path, input.data, { contentType: mimeType })
      try {
        await addImageRenditions(file, input.data, dir)
        return await insertIndexed(file)
      } catch (err) {
        // Without its row the stored bytes are unreachable: remove them before failing.
        for (const key of [file.path, file.thumbnailPath, file.previewPath].filter(Boolean)) {
          await storage.delete(key).catch((cleanupErr: unknown) => log.warn({ fileId: id, key, err: cleanupErr }, 'could not remove the bytes of a failed upload'))
        }
        throw err
      }
    },

    /** The live files of a post (whose reader the caller has checked), oldest first. */
    async forPost(postId: string): Promise<FileInfoRecord[]> {
      return (await store.forPosts([postId])).get(postId) ?? []
    },

    /**
     * A live file the caller may read: its uploader, or anyone who may read its channel.
     * @throws AppError 400 for a malformed id, 404 for an unknown or deleted file, 403 otherwise.
     */
    async get(session: AuthSession, id: string): Promise<FileInfoRecord> {
      const file = await store.getById(id)
      if (!file || file.deleteAt > 0) throw fileInfoNotFound(id)
      if (!(await canReadFile(session, file))) throw forbidden(`no read access to file ${id}`)
      return file
    },

    /**
     * The bytes of the file or one of its renditions.
     * @throws AppError 400 when the file has no thumbnail or preview, 404 when its bytes are missing.
     */
    async open(file: FileInfoRecord, rendition: FileRendition): Promise<Readable> {
      const key = rendition === 'file' ? file.path : rendition === 'thumbnail' ? file.thumbnailPath : file.previewPath
      if (!key) {
        throw rendition === 'thumbnail'
          ? new AppError('api.file.get_file_thumbnail.no_thumbnail.app_error', 'File doesn\'t have a thumbnail image.', 400, { context: { fileId: file.id } })
          : new AppError('api.file.get_file_preview.no_preview.app_error', 'File doesn\'t have a preview image.', 400, { context: { fileId: file.id } })
      }
      try {
        return await storage.get(key)
      } catch (err) {
        // Mattermost's FileReader error, which api4 turns into a 404.
        if (err instanceof StorageNotFoundError) throw new AppError('api.file.file_reader.app_error', 'Unable to get a file reader.', 404, { context: { fileId: file.id }, cause: err })
        throw err
      }
    },
  }
}

export type FileService = ReturnType<typeof createFileService>
