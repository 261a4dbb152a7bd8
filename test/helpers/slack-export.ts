/** Builds Slack export archives for tests and the bench: a map of paths to JSON values (or raw text/bytes), zipped with yazl. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { mkdtemp } from 'node:fs/promises'
import yazl from 'yazl'

export type ExportFiles = Record<string, unknown>

// Archives are read by the test that wrote them, and by later tests of its file; they go when the process exits.
const written: string[] = []
process.once('exit', () => {
  for (const dir of written) fs.rmSync(dir, { recursive: true, force: true })
})

/** Writes the archive into a new temporary directory and returns its path. Strings and Buffers are stored as they are, anything else as JSON. */
export async function writeSlackExport(files: ExportFiles, name = 'export.zip'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bh-slack-'))
  written.push(dir)
  const file = path.join(dir, name)
  const zip = new yazl.ZipFile()
  for (const [entry, value] of Object.entries(files)) {
    const data = Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))
    zip.addBuffer(data, entry)
  }
  zip.end()
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(file)).once('close', () => resolve()).once('error', reject)
  })
  return file
}
