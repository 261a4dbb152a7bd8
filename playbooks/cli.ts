/**
 * `bridgehead playbook …`: lint files (and print the JSON Schema) from the command line. Loaded
 * by core/cli.ts on demand, so the server's start-up never pays for the DSL's dependencies.
 */
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { formatDiagnostic, loadPlaybook, publishedSchema, type Diagnostic } from './dsl/index.ts'
import { expandPlaybookPaths } from './playbook-files.ts'
import { templateReader } from './template-files.ts'

export { templateReader }

export const PLAYBOOK_USAGE = `Usage: bridgehead playbook <command>

Commands:
  lint <files or folders…>       check playbook files; prints file:line:column: message,
                                 exits 1 when any file has an error
  simulate <file> --event <event.json> [--at <ISO time>] [--answer <step>=approved|rejected|all-closed]… [--clock 2h] [--people <people.json>]
                                 print the run plan for an event, without side effects
  test <files or folders…>       run each file's tests: on the simulator; exits 1 when one fails
  schema                         print the playbook JSON Schema
`

/** Runs a `playbook` subcommand; resolves to the process exit code. */
export async function runPlaybookCommand(args: string[], out: (line: string) => void = (l) => process.stdout.write(l + '\n'), err: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<number> {
  const [command, ...rest] = args
  switch (command) {
    case 'lint':
      return lintCommand(rest, out, err)
    case 'simulate': {
      const { simulateCommand } = await import('./simulate-cli.ts')
      return simulateCommand(rest, out, err)
    }
    case 'test': {
      const { testCommand } = await import('./test-cli.ts')
      return testCommand(rest, out, err)
    }
    case 'schema':
      out(JSON.stringify(publishedSchema(), null, 2))
      return 0
    case undefined:
    case 'help':
    case '--help':
      out(PLAYBOOK_USAGE)
      return 0
    default:
      err(`unknown playbook command "${command}"\n\n${PLAYBOOK_USAGE}`)
      return 2
  }
}

function lintCommand(args: string[], out: (line: string) => void, err: (line: string) => void): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} })
  if (positionals.length === 0) {
    err(`playbook lint needs at least one file\n\n${PLAYBOOK_USAGE}`)
    return 2
  }
  const files = positionals.flatMap(expandPlaybookPaths)
  const all: Diagnostic[] = []
  for (const file of files) {
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (e) {
      all.push({ file, line: 1, column: 1, severity: 'error', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` })
      continue
    }
    all.push(...loadPlaybook(file, text, { readTemplate: templateReader(file) }).diagnostics)
  }
  for (const d of all) out(formatDiagnostic(d))
  const errors = all.filter((d) => d.severity === 'error').length
  const warnings = all.length - errors
  err(`${files.length} file${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`)
  return errors > 0 ? 1 : 0
}

