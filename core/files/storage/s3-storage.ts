/** File store on an S3-compatible server (AWS S3, MinIO, …), signed with SigV4 over fetch. */
import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { AwsClient } from 'aws4fetch'
import { checkStorageKey, StorageNotFoundError, type FileStorage, type StoredObject } from './storage.ts'

export interface S3StorageOptions {
  /** e.g. `http://127.0.0.1:9000`; unset means AWS (`https://s3.<region>.amazonaws.com`). */
  endpoint: string | undefined
  bucket: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  /** `endpoint/bucket/key` (MinIO and most self-hosted servers) instead of `bucket.endpoint/key`. */
  pathStyle: boolean
}

/** S3 wants RFC 3986 encoding of each path segment (encodeURIComponent leaves !'()* alone). */
function encodeKey(key: string): string {
  return key.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/')
}

function decodeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-fA-F]+));/g, (_m, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec))
    if (hex) return String.fromCodePoint(parseInt(hex, 16))
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[name]!
  })
}

/** Opens a store in an existing bucket (the bucket is not created). */
export function createS3Storage(options: S3StorageOptions): FileStorage {
  const client = new AwsClient({
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    service: 's3',
    region: options.region,
  })
  const endpoint = new URL(options.endpoint || `https://s3.${options.region}.amazonaws.com`)
  const bucketUrl = options.pathStyle
    ? `${endpoint.origin}${endpoint.pathname.replace(/\/+$/, '')}/${encodeURIComponent(options.bucket)}`
    : `${endpoint.protocol}//${options.bucket}.${endpoint.host}${endpoint.pathname.replace(/\/+$/, '')}`

  const objectUrl = (key: string) => `${bucketUrl}/${encodeKey(key)}`

  async function send(what: string, url: string, init: RequestInit, ok: (status: number) => boolean): Promise<Response> {
    let res: Response
    try {
      res = await client.fetch(url, init)
    } catch (err) {
      throw new Error(`S3 ${what} failed: ${(err as Error).message}`, { cause: err })
    }
    if (!ok(res.status)) {
      const body = await res.text().catch(() => '')
      const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? ''
      throw new Error(`S3 ${what} answered ${res.status}${code ? ` ${code}` : ''}`)
    }
    return res
  }

  return {
    kind: 's3',

    async put(key, data, putOptions = {}) {
      checkStorageKey(key)
      const res = await send(`PUT ${key}`, objectUrl(key), {
        method: 'PUT',
        body: data,
        headers: { 'Content-Type': putOptions.contentType || 'application/octet-stream', 'Content-Length': String(data.byteLength) },
      }, (s) => s === 200)
      await res.body?.cancel()
    },

    async get(key) {
      checkStorageKey(key)
      const res = await send(`GET ${key}`, objectUrl(key), { method: 'GET' }, (s) => s === 200 || s === 404)
      if (res.status === 404 || !res.body) {
        await res.body?.cancel()
        throw new StorageNotFoundError(key)
      }
      return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>)
    },

    async stat(key): Promise<StoredObject | null> {
      checkStorageKey(key)
      const res = await send(`HEAD ${key}`, objectUrl(key), { method: 'HEAD' }, (s) => s === 200 || s === 404)
      if (res.status === 404) return null
      return { key, size: Number(res.headers.get('content-length') ?? 0) }
    },

    async delete(key) {
      checkStorageKey(key)
      const res = await send(`DELETE ${key}`, objectUrl(key), { method: 'DELETE' }, (s) => s === 204 || s === 200 || s === 404)
      await res.body?.cancel()
    },

    async list(prefix) {
      checkStorageKey(prefix, { prefix: true })
      const keys: string[] = []
      let token: string | undefined
      do {
        const params = new URLSearchParams({ 'list-type': '2', prefix })
        if (token) params.set('continuation-token', token)
        const res = await send(`LIST ${prefix}`, `${bucketUrl}?${params}`, { method: 'GET' }, (s) => s === 200)
        const xml = await res.text()
        for (const match of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(decodeXml(match[1]!))
        const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml)
        token = truncated ? decodeXml(/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1] ?? '') || undefined : undefined
      } while (token)
      return keys.sort()
    },
  }
}
