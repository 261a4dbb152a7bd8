/** Uploaded file names: what is kept of the client's name, its extension, and its content type. */
import path from 'node:path'
import { fileTypeFromBuffer } from 'file-type'

const MAX_NAME_LENGTH = 255

// Text formats file-type cannot recognise from bytes; anything else unrecognised is binary.
const TEXT_TYPES: Record<string, string> = { txt: 'text/plain', log: 'text/plain', csv: 'text/csv', md: 'text/markdown', json: 'application/json' }

/**
 * The client's file name reduced to a safe base name: no directories, no control or bidi-override
 * characters, at most 255 characters (keeping the extension).
 * @returns '' when nothing usable is left.
 */
export function sanitizeFileName(raw: string): string {
  // eslint-disable-next-line no-control-regex
  let name = raw.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
  name = name.split(/[/\\]/).pop() ?? ''
  name = name.trim()
  if (name === '.' || name === '..' || /^\.+$/.test(name)) return ''
  if ([...name].length > MAX_NAME_LENGTH) {
    const ext = path.extname(name).slice(0, 20)
    name = [...name.slice(0, name.length - ext.length)].slice(0, MAX_NAME_LENGTH - ext.length).join('') + ext
  }
  return name
}

/** Lower-case extension without the dot, as Mattermost stores it. */
export function extensionOf(name: string): string {
  return path.extname(name).slice(1).toLowerCase()
}

/** The content type read from the bytes; the client's Content-Type is never trusted. */
export async function sniffMimeType(data: Uint8Array, extension: string): Promise<string> {
  const detected = await fileTypeFromBuffer(data)
  if (detected) return detected.mime
  const text = TEXT_TYPES[extension]
  if (text && !data.subarray(0, 8192).includes(0)) return text
  return 'application/octet-stream'
}
