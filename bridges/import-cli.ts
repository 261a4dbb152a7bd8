/** `bridgehead import <bridge> <export.zip> --team <name> [--token T] [--report file.json]`. */
import fs from 'node:fs/promises'
import { parseArgs } from 'node:util'
import type { Registry } from '../core/registry.ts'
import type { Bridge, ImportContext } from './bridge.ts'
import { createProgressPrinter } from './progress.ts'

export const IMPORT_USAGE = 'import <bridge> <export.zip> --team NAME [--token T] [--report FILE.json]'

export interface ImportCliEnvironment {
  registry: Registry<Bridge>
  /** Opens the database and the rest of what an importer needs; `adminId` is the admin it runs as. */
  open(): Promise<{ context: ImportContext; adminId: string; close(): Promise<void> }>
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
}

/** Thrown for a command line that cannot be run; the caller prints it with the usage. */
export class ImportUsageError extends Error {}

/**
 * Runs the command.
 * @returns the exit code: 0 when the import finished (warnings included), 1 when it could not run.
 * @throws ImportUsageError for bad arguments.
 */
export async function runImportCli(args: string[], env: ImportCliEnvironment): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { team: { type: 'string' }, token: { type: 'string' }, report: { type: 'string' } },
  })
  const [bridgeId, file] = positionals
  if (!bridgeId || !file || !values.team) throw new ImportUsageError(`usage: bridgehead ${IMPORT_USAGE}`)
  const bridge = env.registry.get(bridgeId)
  if (!bridge?.import) {
    throw new ImportUsageError(`no bridge "${bridgeId}" can import (bridges that can: ${env.registry.list().filter((b) => b.import).map((b) => b.id).join(', ')})`)
  }
  const opened = await env.open()
  const printer = createProgressPrinter(env.stderr)
  try {
    const outcome = await bridge.import(opened.context, {
      file, team: values.team, adminId: opened.adminId, token: values.token, onProgress: (p) => printer.update(p),
    })
    printer.done()
    env.stdout.write(`${outcome.summary()}\n`)
    if (values.report) await fs.writeFile(values.report, `${JSON.stringify(outcome.toJSON(), null, 2)}\n`)
    return 0
  } catch (err) {
    printer.done()
    env.stderr.write(`Import failed: ${(err as Error).message}\n`)
    return 1
  } finally {
    await opened.close()
  }
}
