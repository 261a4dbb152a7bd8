/**
 * Reads an upload request without express.json: multipart (Client4 `uploadFile(FormData)`) with
 * busboy, or the raw-body variant. Bytes are counted as they arrive, so no file grows past the limit.
 */
import type { Request } from 'express'
import type { Readable } from 'node:stream'
import busboy from 'busboy'
import { AppError } from '../../errors.ts'
import { fileTooLarge } from '../../files/service.ts'

export interface UploadedPart {
  name: string
  data: Buffer
}

export interface UploadBody<C> {
  channel: C
  parts: UploadedPart[]
  clientIds: string[]
}

const MAX_FILES_PER_REQUEST = 20

/** 400 for a body that cannot be read as an upload (Mattermost's uploadFileStream). */
export function unreadableUpload(detailed: string, cause?: unknown): AppError {
  return new AppError('api.file.upload_file.read_request.app_error', 'Unable to upload file(s). Error reading or parsing request data.', 400, { detailed, cause })
}

/** Collects a stream into one buffer, failing when it passes `limit` bytes (the rest is read and dropped). */
export async function readLimited(stream: Readable, limit: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  // Read to the end even past the limit: leaving early would destroy the request before the 413.
  for await (const chunk of stream) {
    size += (chunk as Buffer).length
    if (size <= limit) chunks.push(chunk as Buffer)
    else chunks.length = 0
  }
  if (size > limit) throw fileTooLarge(name, limit, size)
  return Buffer.concat(chunks)
}

/**
 * Parses a multipart upload. `channel_id` comes from the query or a field sent before the first
 * file part; `checkChannel` runs once, before any file's bytes are read.
 * @throws AppError 400 for a missing channel_id, an unreadable body or mismatched client_ids; 413 over the limit.
 */
export function readMultipart<C>(req: Request, options: { limit: number; queryChannelId: string | undefined; checkChannel: (id: string | undefined) => Promise<C> }): Promise<UploadBody<C>> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy
    try {
      // No fileSize limit: the loop below counts every byte itself, so the 413 can say how many came.
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: MAX_FILES_PER_REQUEST, fields: 100, fieldSize: 64 * 1024 } })
    } catch (err) {
      reject(unreadableUpload((err as Error).message, err))
      return
    }
    let channelId = options.queryChannelId
    let channelCheck: Promise<C> | undefined
    const clientIds: string[] = []
    const tasks: Promise<UploadedPart | undefined>[] = []
    let failure: unknown
    // The whole request is held to the limit, as Mattermost does by Content-Length, so a chunked
    // request of many parts cannot make the server buffer more than one limit's worth.
    let total = 0

    parser.on('field', (field, value) => {
      if (field === 'channel_id' && !channelCheck) channelId = value
      else if (field === 'client_ids') clientIds.push(value)
    })
    parser.on('file', (_field, stream, info) => {
      channelCheck ??= options.checkChannel(channelId)
      tasks.push(
        (async () => {
          try {
            await channelCheck
            const chunks: Buffer[] = []
            let over = false
            // Leaving a for-await early destroys the part's stream and stalls busboy: drain instead.
            for await (const chunk of stream) {
              total += (chunk as Buffer).length
              if (over) continue
              if (total > options.limit) {
                over = true
                chunks.length = 0
              } else {
                chunks.push(chunk as Buffer)
              }
            }
            if (over) throw fileTooLarge(info.filename ?? 'file', options.limit, total)
            return { name: info.filename ?? '', data: Buffer.concat(chunks) }
          } catch (err) {
            stream.resume()
            failure ??= err
            return undefined
          }
        })(),
      )
    })
    parser.on('filesLimit', () => {
      // Mattermost sets no such limit, so it has no error id for it either.
      failure ??= unreadableUpload(`more than ${MAX_FILES_PER_REQUEST} files in one request`)
    })
    parser.on('error', (err) => {
      failure ??= unreadableUpload((err as Error).message, err)
      req.unpipe(parser)
      req.resume()
      void Promise.all(tasks).then(() => reject(failure))
    })
    parser.on('close', () => {
      void Promise.all(tasks).then(async (parts) => {
        if (failure) return reject(failure)
        const files = parts.filter((p): p is UploadedPart => p !== undefined)
        let channel: C
        try {
          // Mattermost answers a request without files 201 with empty lists; the channel is still
          // checked here, as a bad channel_id is the more useful answer.
          channel = await (channelCheck ?? options.checkChannel(channelId))
        } catch (err) {
          return reject(err)
        }
        if (clientIds.length > 0 && clientIds.length !== files.length) {
          return reject(new AppError('api.file.upload_file.incorrect_number_of_client_ids.app_error', `Unable to upload file(s). Have ${clientIds.length} client_ids for ${files.length} files.`, 400, { context: { clientIds: clientIds.length, files: files.length } }))
        }
        resolve({ channel, parts: files, clientIds })
      })
    })
    req.pipe(parser)
  })
}

