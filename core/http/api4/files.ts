/** /files routes: upload (multipart or raw body), download, info, thumbnail and preview (api4/file.go). */
import type { Request, Response, Router } from 'express'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { forbidden, invalidParam, invalidUrlParam } from '../../errors.ts'
import type { FileInfoRecord } from '../../files/store.ts'
import type { FileRendition } from '../../files/service.ts'
import { fileTooLarge } from '../../files/service.ts'
import { presentFileInfo } from '../../present/file-info.ts'
import { getContext, requireSession } from '../context.ts'
import { sendJson, sendOk } from '../respond.ts'
import { idParam, queryBool, queryString } from '../validate.ts'
import type { ApiDeps } from './deps.ts'
import { readLimited, readMultipart, unreadableUpload } from './upload-body.ts'

/** Shown inline by Mattermost (web/handlers.go MediaContentTypes); everything else downloads. */
const INLINE_TYPES = ['image/jpeg', 'image/png', 'image/bmp', 'image/gif', 'image/tiff', 'video/avi', 'video/mpeg', 'video/mp4', 'audio/mpeg', 'audio/wav']
/** Served as text/plain so a browser never runs them (Mattermost's UnsafeContentTypes). */
const UNSAFE_TYPES = ['application/javascript', 'application/ecmascript', 'text/javascript', 'text/ecmascript', 'application/x-javascript', 'text/html', 'image/svg+xml', 'application/xhtml+xml', 'text/xml', 'application/xml']

/**
 * The upload route reads its own body, and so does any route sent an archive (an import's
 * `application/zip` body is streamed to disk): express.json must leave them alone.
 */
export function isUploadRequest(req: Request): boolean {
  if (req.method !== 'POST') return false
  if (/^\/files\/?(\?|$)/.test(req.url)) return true
  const type = req.headers['content-type'] ?? ''
  return /^application\/(zip|x-zip-compressed|octet-stream)\b/i.test(type)
}

/** `attachment`/`inline` with an ASCII fallback name and the exact UTF-8 name, safe from header injection. */
export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_')
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`
}

/** Streams a file with headers that keep a browser from running or framing it (web.WriteFileResponse). */
async function writeFileResponse(req: Request, res: Response, file: FileInfoRecord, stream: Readable, options: { rendition: FileRendition; download: boolean }): Promise<void> {
  const { rendition } = options
  let type = rendition === 'file' ? file.mimeType || 'application/octet-stream' : 'image/jpeg'
  if (UNSAFE_TYPES.some((t) => type.startsWith(t))) type = 'text/plain'
  const download = options.download || !INLINE_TYPES.some((t) => type.startsWith(t))
  res.status(200)
  res.setHeader('Content-Type', type)
  res.setHeader('Content-Disposition', contentDisposition(download ? 'attachment' : 'inline', file.name))
  res.setHeader('Cache-Control', 'private, max-age=86400')
  // Never framed, never run as a page.
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Content-Security-Policy', "frame-ancestors 'none'; sandbox")
  if (rendition === 'file') res.setHeader('Content-Length', String(file.size))
  try {
    await pipeline(stream, res)
  } catch (err) {
    getContext(req).log.warn({ fileId: file.id, rendition, err }, 'file download interrupted')
    res.destroy()
  }
}

/**
 * `GET /files/{file_id}/public?h=…`, outside /api/v4 and without a session (Mattermost's
 * getPublicFile). Errors are Mattermost's ids and statuses as JSON; Mattermost renders a bad hash
 * as an HTML page redirecting to its web app's /error, which this server does not have.
 */
export function publicFileRoutes(router: Router, deps: ApiDeps): void {
  router.get('/files/:file_id/public', async (req, res) => {
    const file = await deps.publicLinks.resolve(idParam(req, 'file_id'), queryString(req, 'h'))
    await writeFileResponse(req, res, file, await deps.files.open(file, 'file'), { rendition: 'file', download: false })
  })
}

export function fileRoutes(router: Router, deps: ApiDeps): void {
  const { files } = deps

  router.post('/files', async (req, res) => {
    const session = requireSession(req)
    const limit = files.maxFileSize
    const queryChannelId = queryString(req, 'channel_id')
    const declared = Number(req.headers['content-length'] ?? NaN)
    if (declared === 0) throw unreadableUpload('Content-Length should not be 0')
    if (declared > limit) {
      // Mattermost refuses by Content-Length before reading anything.
      res.setHeader('Connection', 'close')
      req.resume()
      throw fileTooLarge(queryString(req, 'filename') ?? 'file', limit, declared)
    }
    const contentType = req.headers['content-type'] ?? ''
    let body
    if (/^multipart\/form-data/i.test(contentType)) {
      body = await readMultipart(req, {
        limit, queryChannelId,
        checkChannel: async (id) => {
          // Mattermost: no channel_id anywhere is invalid_param, a malformed one invalid_url_param.
          if (!id) throw invalidParam('channel_id')
          return files.uploadChannel(session, id)
        },
      })
    } else {
      const channel = await files.uploadChannel(session, queryChannelId)
      const filename = queryString(req, 'filename')
      if (!filename) throw invalidUrlParam('filename')
      const data = await readLimited(req, limit, filename)
      if (data.length === 0) throw unreadableUpload('the body is empty')
      const clientId = queryString(req, 'client_id')
      body = { channel, parts: [{ name: filename, data }], clientIds: clientId ? [clientId] : [] }
    }
    const infos: FileInfoRecord[] = []
    for (const part of body.parts) infos.push(await files.upload(session, body.channel, part))
    getContext(req).log.debug({ fileIds: infos.map((f) => f.id), channelId: body.channel.id }, 'files uploaded')
    sendJson(res, 201, { file_infos: infos.map(presentFileInfo), client_ids: body.clientIds })
  })

  async function sendFile(req: Request, res: Response, rendition: FileRendition): Promise<void> {
    const session = requireSession(req)
    const file = await files.get(session, idParam(req, 'file_id'))
    await writeFileResponse(req, res, file, await files.open(file, rendition), { rendition, download: queryBool(req, 'download') })
  }

  router.get('/files/:file_id', (req, res) => sendFile(req, res, 'file'))
  router.get('/files/:file_id/thumbnail', (req, res) => sendFile(req, res, 'thumbnail'))
  router.get('/files/:file_id/preview', (req, res) => sendFile(req, res, 'preview'))

  router.get('/posts/:post_id/files/info', async (req, res) => {
    const session = requireSession(req)
    const post = await deps.posts.get(session, idParam(req, 'post_id'))
    sendJson(res, 200, (await files.forPost(post.id)).map(presentFileInfo))
  })

  router.get('/files/:file_id/link', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, { link: await deps.publicLinks.link(session, idParam(req, 'file_id')) })
  })

  // Mattermost regenerates FileSettings.PublicLinkSalt from the system console (a config save);
  // this server keeps the salt in the database, so it gets a route of its own.
  router.post('/files/public_links/regenerate_salt', async (req, res) => {
    const session = requireSession(req)
    if (!session.isSystemAdmin) throw forbidden('regenerating the public link salt needs manage_system')
    await deps.publicLinks.regenerateSalt()
    getContext(req).log.info({ userId: session.userId }, 'public link salt regenerated')
    sendOk(res)
  })

  router.get('/files/:file_id/info', async (req, res) => {
    const session = requireSession(req)
    const file = await files.get(session, idParam(req, 'file_id'))
    res.setHeader('Cache-Control', 'max-age=2592000, private')
    sendJson(res, 200, presentFileInfo(file))
  })
}
