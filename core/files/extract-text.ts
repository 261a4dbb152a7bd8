/**
 * Text of uploaded documents for file search (Mattermost's ExtractContentFromFileInfo): text, code
 * and Markdown files read as UTF-8, PDFs through unpdf (pdf.js) in a short-lived worker thread.
 * A document that cannot be read gives no text; nothing here throws or holds an upload for long.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** Mattermost's maxContentExtractionSize (1 MB); here counted in characters of the extracted text. */
export const MAX_CONTENT_LENGTH = 1024 * 1024
const PDF_TIMEOUT_MS = 10_000
const PDF_WORKER_HEAP_MB = 256

// Names of text formats whose type file-type cannot tell from the bytes; the bytes must still be UTF-8.
const TEXT_EXTENSIONS = new Set([
  'txt', 'text', 'md', 'markdown', 'rst', 'adoc', 'tex', 'csv', 'tsv', 'log', 'json', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'conf',
  'env', 'properties', 'xml', 'html', 'htm', 'css', 'scss', 'less', 'js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx', 'vue',
  'svelte', 'py', 'rb', 'go', 'rs', 'java', 'kt', 'kts', 'scala', 'groovy', 'gradle', 'c', 'h', 'cc', 'cpp', 'cxx', 'hpp', 'cs',
  'swift', 'm', 'php', 'pl', 'lua', 'r', 'sql', 'sh', 'bash', 'zsh', 'fish', 'ps1', 'bat', 'dockerfile', 'makefile', 'proto',
  'graphql', 'gql', 'diff', 'patch', 'erl', 'ex', 'exs', 'hs', 'clj', 'dart', 'tf', 'hcl', 'nix', 'zig', 'jl', 'vim',
])

/** Whether a file of this type and extension is read as text (when its bytes are UTF-8 without NUL). */
function isTextType(mimeType: string, extension: string): boolean {
  return mimeType.startsWith('text/') || mimeType === 'application/json' || TEXT_EXTENSIONS.has(extension)
}

/** The first MAX_CONTENT_LENGTH bytes as text, or null when they are not UTF-8 or hold a NUL (binary). */
function decodeText(data: Uint8Array): string | null {
  let end = Math.min(data.length, MAX_CONTENT_LENGTH)
  // Do not cut a multi-byte character in two: step back over its continuation bytes (10xxxxxx).
  if (end < data.length) while (end > 0 && (data[end]! & 0xc0) === 0x80) end--
  const head = data.subarray(0, end)
  if (head.includes(0)) return null
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(head)
  } catch {
    return null // not UTF-8: a binary file under a text name
  }
}

// Runs in the worker, as plain JavaScript (a worker cannot load this TypeScript module in the
// bundled build). pdf.js's eval is off: a crafted font must never run code.
const PDF_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
;(async () => {
  const { getDocumentProxy } = require(workerData.modulePath)
  const pdf = await getDocumentProxy(workerData.data, { verbosity: 0, isEvalSupported: false, disableFontFace: true, useSystemFonts: false })
  let text = ''
  for (let i = 1; i <= pdf.numPages && text.length < workerData.maxLength; i++) {
    const page = await pdf.getPage(i)
    for (const item of (await page.getTextContent()).items) {
      if (typeof item.str === 'string') text += item.str + (item.hasEOL ? '\\n' : '')
    }
    text += '\\n'
    page.cleanup()
  }
  parentPort.postMessage({ text })
})().catch((err) => parentPort.postMessage({ error: String((err && err.message) || err) }))
`

// Resolved here, where node_modules is known; the worker's code has no location of its own.
// (Not import.meta.resolve: tsx drops it when a test loads this module as CommonJS.)
let resolvedUnpdf: string | undefined
const unpdfPath = () => (resolvedUnpdf ??= createRequire(import.meta.url).resolve('unpdf'))

/**
 * The text of a PDF, read in a worker thread with its own heap limit and killed after
 * `timeoutMs`, so a malicious PDF can neither block the event loop nor exhaust the server's memory.
 * pdf.js (~20 MB resident) is loaded by that worker only, and leaves with it.
 * @throws Error when the PDF cannot be read, the worker runs out of memory or time.
 */
function extractPdfText(data: Uint8Array, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(PDF_WORKER_SOURCE, {
      eval: true,
      workerData: { modulePath: unpdfPath(), data, maxLength: MAX_CONTENT_LENGTH },
      resourceLimits: { maxOldGenerationSizeMb: PDF_WORKER_HEAP_MB },
      // pdf.js may still print; keep it out of the server's JSON log lines.
      stdout: true,
      stderr: true,
    })
    worker.stdout.resume()
    worker.stderr.resume()
    let settled = false
    const finish = (err: Error | null, text = '') => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void worker.terminate()
      if (err) reject(err)
      else resolve(text)
    }
    const timer = setTimeout(() => finish(new Error(`PDF text extraction timed out after ${timeoutMs} ms`)), timeoutMs)
    worker.on('message', (msg: { text?: string; error?: string }) => finish(msg.error === undefined ? null : new Error(`PDF unreadable: ${msg.error}`), msg.text))
    worker.on('error', (err) => finish(err))
    worker.on('exit', (code) => finish(new Error(`PDF text extraction worker exited with code ${code}`)))
  })
}

/**
 * The searchable text of an upload: text and code files (by type or extension, when their bytes
 * are UTF-8 without NUL) and PDFs, at most MAX_CONTENT_LENGTH characters, without NUL.
 * `pdfTimeoutMs` bounds a PDF's extraction (default 10 s).
 * @returns null for other files, unreadable ones (after `onFailure`) and documents without text.
 */
export async function extractText(
  data: Uint8Array, mimeType: string, extension: string, onFailure: (err: unknown) => void, options: { pdfTimeoutMs?: number } = {},
): Promise<string | null> {
  let text: string | null = null
  if (mimeType === 'application/pdf') {
    try {
      text = await extractPdfText(data, options.pdfTimeoutMs ?? PDF_TIMEOUT_MS)
    } catch (err) {
      onFailure(err)
      return null
    }
  } else if (isTextType(mimeType, extension)) {
    text = decodeText(data)
  }
  // PostgreSQL text cannot hold NUL (a PDF string may); a lone surrogate becomes U+FFFD on the way to the database.
  text = text?.replace(/\u0000/g, '').slice(0, MAX_CONTENT_LENGTH).trim() ?? null
  return text ? text : null
}
