/**
 * Public links to files (Mattermost's getFileLink, GeneratePublicLink and getPublicFile): the link
 * carries an HMAC-SHA-256 of the file id under a server-wide salt, so it cannot be forged, and
 * regenerating the salt revokes every link at once. A deleted file (or a file of a deleted post)
 * no longer resolves, which revokes its link alone.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { AppError } from '../errors.ts'
import type { AuthSession } from '../auth/session-types.ts'
import { fileInfoNotFound, type FileService } from './service.ts'
import type { FileInfoRecord, FileStore } from './store.ts'

/** Where the salt lives (the systems table). */
export interface PublicLinkSalts {
  publicLinkSalt(): Promise<string>
  regeneratePublicLinkSalt(): Promise<void>
}

export interface PublicLinkServiceOptions {
  /** ENABLE_PUBLIC_LINK. */
  enabled: boolean
  /** SITE_URL, without a trailing slash. */
  siteUrl: string
  files: FileService
  store: FileStore
  salts: PublicLinkSalts
}

/**
 * The `h` parameter of a file's public link. Mattermost hashes SHA-256(salt + id); an HMAC keyed
 * with the salt gives the same unforgeability without relying on the hash's length-extension
 * properties. Links are only ever checked by the server that made them, so the two need not agree.
 */
export function publicLinkHash(fileId: string, salt: string): string {
  return createHmac('sha256', salt).update(fileId).digest('base64url')
}

function linksDisabled(): AppError {
  return new AppError('api.file.get_public_link.disabled.app_error', 'Public links have been disabled.', 403)
}

function invalidLink(fileId: string, detailed: string): AppError {
  return new AppError('api.file.get_file.public_invalid.app_error', 'The public link does not appear to be valid.', 400, { detailed, context: { fileId } })
}

export function createPublicLinkService(options: PublicLinkServiceOptions) {
  const { enabled, siteUrl, files, store, salts } = options

  return {
    /**
     * `{SITE_URL}/files/{id}/public?h=…` for a file the caller may read and that belongs to a post.
     * @throws AppError 403 when public links are off, 404 for an unknown or deleted file, 403 without
     *   read access, 400 `api.file.get_public_link.no_post.app_error` for an upload not yet posted.
     */
    async link(session: AuthSession, fileId: string): Promise<string> {
      if (!enabled) throw linksDisabled()
      const file = await files.get(session, fileId)
      if (!file.postId) {
        throw new AppError('api.file.get_public_link.no_post.app_error', 'Unable to get public link for file. File must be attached to a post that can be read by the current user.', 400, { context: { fileId } })
      }
      return `${siteUrl}/files/${file.id}/public?h=${publicLinkHash(file.id, await salts.publicLinkSalt())}`
    },

    /**
     * The live file a public link names, checked in Mattermost's order: setting, file, hash.
     * @throws AppError 403 when public links are off, 404 for an unknown or deleted file, 400 for a
     *   missing or wrong hash.
     */
    async resolve(fileId: string, hash: string | undefined): Promise<FileInfoRecord> {
      if (!enabled) throw linksDisabled()
      const file = await store.getById(fileId)
      if (!file || file.deleteAt > 0) throw fileInfoNotFound(fileId)
      if (!hash) throw invalidLink(fileId, 'no h parameter')
      const expected = Buffer.from(publicLinkHash(file.id, await salts.publicLinkSalt()))
      const given = Buffer.from(hash)
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidLink(fileId, 'hash does not match')
      return file
    },

    /** Replaces the salt: every public link handed out so far stops working. */
    async regenerateSalt(): Promise<void> {
      await salts.regeneratePublicLinkSalt()
    },
  }
}

export type PublicLinkService = ReturnType<typeof createPublicLinkService>
