/** The import's one failure type: it names the export file (and entry) at fault. */
import { UnusableArchiveError } from '../../bridge.ts'

/** Thrown for an export that cannot be imported at all (a corrupt zip, a missing users.json). */
export class ImportFileError extends UnusableArchiveError {
  constructor(readonly file: string, detail: string, options?: { cause?: unknown }) {
    super(`${file}: ${detail}`, options)
    this.name = 'ImportFileError'
  }
}
