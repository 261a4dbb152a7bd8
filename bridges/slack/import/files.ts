/**
 * File bytes for imported posts (§2.4): from the export's `__uploads/` folder when a third-party
 * exporter added it, else downloaded from the token-bearing URL (with an optional Bearer token).
 * A file that cannot be had becomes a line in the post saying so, never a broken attachment.
 */
import { idFromKey } from '../../../core/ids.ts'
import { extensionOf, sanitizeFileName, sniffMimeType } from '../../../core/files/names.ts'
import type { FileStorage } from '../../../core/files/storage/storage.ts'
import type { ExportArchive, ExportEntry } from './zip.ts'
import type { SlackFileRef } from './messages.ts'
import type { FileRow, PostRow } from './writer.ts'
import { redactTokens, type ImportReport } from './report.ts'

export interface FileSource {
  storage: FileStorage
  archive: ExportArchive
  /** `__uploads/<FileID>/<name>` entries by file id. */
  uploads: Map<string, ExportEntry>
  token?: string
  fetch: typeof fetch
  /** File info ids already stored (a rerun must not download again). */
  known(ids: string[]): Promise<Set<string>>
  report: ImportReport
  signal?: AbortSignal
}

const DOWNLOAD_TIMEOUT_MS = 30_000

/**
 * Attaches the files of one post: existing infos are reused, new bytes stored.
 * Mutates `post` (file ids, or a placeholder line and `props.slack_files`).
 * @returns the file info rows to insert with the post.
 */
export async function attachFiles(post: PostRow, refs: SlackFileRef[], teamId: string, source: FileSource): Promise<FileRow[]> {
  const rows: FileRow[] = []
  const missing: string[] = []
  const ids = refs.map((ref) => idFromKey(`slack:${teamId}:file:${ref.id}:${post.id}`))
  const known = await source.known(ids)
  for (const [i, ref] of refs.entries()) {
    const id = ids[i]!
    const name = sanitizeFileName(ref.name || ref.title)
    if (!name) {
      source.report.skip('file the export could not see', `${ref.id} in post ${post.id}`)
      missing.push(`(a file the Slack export could not see: ${ref.id})`)
      continue
    }
    if (known.has(id)) {
      post.fileIds.push(id)
      continue
    }
    const got = await fetchBytes(ref, source)
    if ('error' in got) {
      source.report.skip('file not downloaded', `${name} (${ref.id}): ${got.error}`)
      missing.push(`(file "${name}", ${ref.size} bytes, was not downloaded from Slack: ${got.error})`)
      continue
    }
    const extension = extensionOf(name)
    const path = `data/slack-import/teams/${teamId}/channels/${post.channelId}/users/${post.userId}/${id}/${name}`
    await source.storage.put(path, got.bytes, { contentType: ref.mimetype || undefined })
    rows.push({
      id, userId: post.userId, postId: post.id, channelId: post.channelId, createAt: post.createAt, path, name, extension,
      size: got.bytes.length, mimeType: ref.mimetype || (await sniffMimeType(got.bytes, extension)),
    })
    post.fileIds.push(id)
    source.report.count('files')
  }
  if (missing.length) {
    post.message = [post.message, ...missing].filter(Boolean).join('\n')
    post.props.slack_files = refs.map((r) => ({ id: r.id, name: r.name, title: r.title, size: r.size, mimetype: r.mimetype }))
  }
  return rows
}

async function fetchBytes(ref: SlackFileRef, source: FileSource): Promise<{ bytes: Uint8Array } | { error: string }> {
  const upload = source.uploads.get(ref.id)
  if (upload) {
    return { bytes: await source.archive.readBytes(upload) }
  }
  if (!ref.url) return { error: 'no URL in the export' }
  try {
    const signal = AbortSignal.any([AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), ...(source.signal ? [source.signal] : [])])
    const res = await source.fetch(ref.url, { headers: source.token ? { Authorization: `Bearer ${source.token}` } : {}, signal })
    if (!res.ok) return { error: `HTTP ${res.status}` }
    const bytes = new Uint8Array(await res.arrayBuffer())
    if (ref.size && bytes.length !== ref.size) return { error: `got ${bytes.length} bytes, the export says ${ref.size}` }
    return { bytes }
  } catch (err) {
    return { error: redactTokens((err as Error).message) }
  }
}
