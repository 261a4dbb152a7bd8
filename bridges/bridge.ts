/**
 * The one interface a bridge to another chat platform implements. Small on purpose: an importer
 * now (an export archive → core), the live mirror later as another optional method.
 */
import type { Registered } from '../core/registry.ts'
import type { Database } from '../core/db/index.ts'
import type { Logger } from '../core/log.ts'
import type { FileStorage } from '../core/files/storage/storage.ts'

/** An archive that cannot be imported at all (not a zip, a required file missing): retrying cannot help. */
export class UnusableArchiveError extends Error {}

/** What an importer may use of core: the database for batched writes, file storage, the team. */
export interface ImportContext {
  db: Database
  log: Logger
  storage: FileStorage
  /** Finds the team by name or creates it (with its default channels) for `adminId`; returns its id. */
  ensureTeam(name: string, adminId: string): Promise<string>
  fetch?: typeof fetch
}

export interface ImportProgress {
  /** Messages read so far. */
  messages: number
  /** Bytes of the archive's message files read so far, and in all: the basis of rate and ETA. */
  bytesDone: number
  bytesTotal: number
}

export interface ImportRequest {
  /** Path of the export archive on this machine. */
  file: string
  team: string
  /** The admin the import runs as: owner of imported bots, creator of a new team. */
  adminId: string
  /** A token for the platform's file URLs, when file bytes should be downloaded. */
  token?: string
  onProgress?(progress: ImportProgress): void
  signal?: AbortSignal
}

/** The outcome of an import: JSON for `--report` and the job's data, and a summary for people. */
export interface ImportOutcome {
  toJSON(): Record<string, unknown>
  summary(): string
}

export interface Bridge extends Registered {
  /** `slack`: the name in `bridgehead import <id>` and `/api/v4/bridges/<id>/import`. */
  id: string
  displayName: string
  /**
   * Imports an export archive. Re-running the same archive adds nothing.
   * @throws an Error naming the file when the archive cannot be imported at all.
   */
  import?(context: ImportContext, request: ImportRequest): Promise<ImportOutcome>
}
