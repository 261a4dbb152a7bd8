/** The import's one failure type: it names the export file (and entry) at fault. */

/** Thrown for an export that cannot be imported at all (a corrupt zip, a missing users.json). */
export class ImportFileError extends Error {
  constructor(readonly file: string, detail: string, options?: { cause?: unknown }) {
    super(`${file}: ${detail}`, options)
    this.name = 'ImportFileError'
  }
}
