/** `bridgehead playbook test <files…>`: runs each file's `tests:` on the engine's planner (virtual clock), for CI of playbook repositories. */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { compilePlaybook, formatDiagnostic, hasErrors, loadPlaybook } from './dsl/index.ts'
import { runPlaybookTests } from './engine/playbook-tests.ts'
import { expandPlaybookPaths } from './playbook-files.ts'
import { templateReader } from './template-files.ts'

export async function testCommand(args: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} })
  if (positionals.length === 0) {
    err('playbook test needs at least one file')
    return 2
  }
  let passed = 0
  let failed = 0
  for (const file of positionals.flatMap(expandPlaybookPaths)) {
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (e) {
      out(`FAIL ${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
      failed++
      continue
    }
    const result = loadPlaybook(file, text, { readTemplate: templateReader(file) })
    if (hasErrors(result.diagnostics) || !result.playbook) {
      out(`FAIL ${file}: the playbook has lint errors`)
      for (const d of result.diagnostics) out(`  ${formatDiagnostic(d)}`)
      failed++
      continue
    }
    const readEvent = (relative: string): unknown => {
      try {
        return JSON.parse(fs.readFileSync(path.join(path.dirname(file), relative), 'utf8')) as unknown
      } catch {
        return undefined
      }
    }
    const readTemplate = templateReader(file)
    for (const r of runPlaybookTests(compilePlaybook(result.playbook), readEvent, undefined, { readTemplate: (p) => readTemplate(p)?.text })) {
      out(`${r.passed ? 'PASS' : 'FAIL'} ${file}: ${r.name}`)
      for (const f of r.failures) out(`  - ${f}`)
      // A failure may come from a reference the dry run could not resolve: say so.
      if (!r.passed) for (const n of r.simulation.notes) out(`  note: ${n}`)
      if (r.passed) passed++
      else failed++
    }
  }
  out(`${passed} passed, ${failed} failed`)
  return failed > 0 ? 1 : 0
}
