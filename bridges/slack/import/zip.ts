/**
 * Random access to a Slack export archive: the central directory is read once, then each entry
 * is streamed on demand, so memory never holds the archive, only the entry being parsed.
 */
import yauzl from 'yauzl'
import { ImportFileError } from './errors.ts'
import { parseJson } from '../../../core/well-formed.ts'

export interface ExportEntry {
  /** Path inside the export, with a repacked archive's single top-level folder stripped. */
  name: string
  size: number
  crc32: number
  raw: yauzl.Entry
}

export interface ExportArchive {
  entries: ExportEntry[]
  /** The entry's bytes decoded as UTF-8 JSON. @throws ImportFileError naming the entry. */
  readJson(entry: ExportEntry): Promise<unknown>
  /** The entry's bytes. @throws ImportFileError naming the entry. */
  readBytes(entry: ExportEntry): Promise<Buffer>
  close(): void
}

/** Skipped everywhere: macOS resource forks and Finder files are no part of an export. */
function isJunk(name: string): boolean {
  return name.startsWith('__MACOSX/') || name.endsWith('/.DS_Store') || name === '.DS_Store' || name.endsWith('/')
}

/**
 * Opens the archive and lists its entries.
 * @throws ImportFileError when the file is missing or is not a readable zip.
 */
export async function openExport(file: string): Promise<ExportArchive> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, strictFileNames: false, decodeStrings: true }, (err, z) => (err ? reject(err) : resolve(z)))
  }).catch((err: Error) => {
    throw new ImportFileError('archive', `cannot open the export as a zip: ${err.message}`, { cause: err })
  })
  const raw: yauzl.Entry[] = []
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        raw.push(entry)
        zip.readEntry()
      })
      zip.once('end', () => resolve())
      zip.once('error', reject)
      zip.readEntry()
    })
  } catch (err) {
    zip.close()
    throw new ImportFileError('archive', `the zip's directory is corrupt: ${(err as Error).message}`, { cause: err })
  }
  const names = raw.map((e) => e.fileName).filter((n) => !isJunk(n))
  const prefix = commonTopFolder(names)
  const entries = raw
    .filter((e) => !isJunk(e.fileName))
    .map((e) => ({ name: e.fileName.slice(prefix.length), size: e.uncompressedSize, crc32: e.crc32, raw: e }))
  return {
    entries,
    async readJson(entry) {
      const bytes = await readEntry(zip, entry)
      try {
        return parseJson(bytes.toString('utf8')) as unknown
      } catch (err) {
        throw new ImportFileError(entry.name, `not valid JSON: ${(err as Error).message}`, { cause: err })
      }
    },
    readBytes: (entry) => readEntry(zip, entry),
    close: () => zip.close(),
  }
}

/** A repacked archive (unzipped and zipped again one level down) has every file under one folder (§1.2). */
function commonTopFolder(names: string[]): string {
  if (names.length === 0) return ''
  const first = names[0]!.split('/')[0]!
  if (!names.every((n) => n.startsWith(`${first}/`))) return ''
  // A real export has users.json at the root; a folder holding it is the repack wrapper.
  return names.includes(`${first}/users.json`) || names.includes(`${first}/channels.json`) ? `${first}/` : ''
}

function readEntry(zip: yauzl.ZipFile, entry: ExportEntry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry.raw, (err, stream) => {
      if (err) return reject(new ImportFileError(entry.name, `cannot read the entry: ${err.message}`, { cause: err }))
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.once('error', (e) => reject(new ImportFileError(entry.name, `the entry is corrupt: ${e.message}`, { cause: e })))
      stream.once('end', () => resolve(Buffer.concat(chunks)))
    })
  })
}
