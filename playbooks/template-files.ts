/** Reads the template files a playbook names (`template: templates/x.hbs`), relative to the playbook. */
import fs from 'node:fs'
import path from 'node:path'
import type { TemplateFile } from './dsl/index.ts'

/** A reader for `LintOptions.readTemplate`: paths resolve against the playbook file's folder. */
export function templateReader(playbookFile: string): (relative: string) => TemplateFile | undefined {
  return (relative) => {
    const file = path.join(path.dirname(playbookFile), relative)
    try {
      return { file, text: fs.readFileSync(file, 'utf8') }
    } catch {
      // Reported by the linter as "template file not found".
      return undefined
    }
  }
}
