/** What every lint rule gets: the typed playbook, where things are in the file, and a way to report. */
import type { Playbook, Step } from '../../schema/playbook.ts'
import type { ActionCatalog } from '../catalog.ts'
import type { Diagnostic, Severity } from '../diagnostic.ts'
import type { ExprScope } from '../expr/index.ts'
import { formatPath, type Path } from '../path.ts'
import type { PlaybookSource } from '../source.ts'

/** A template file named by `template:`, read relative to the playbook. */
export interface TemplateFile {
  /** How diagnostics name the file. */
  file: string
  text: string
}

export interface LintOptions {
  /** Known action ids; default: the built-in catalog of spec §7.2. */
  catalog?: ActionCatalog
  /** Secret names the server has; without it `secrets.x` names are not checked. */
  secrets?: ReadonlySet<string>
  /** Reads a template file named in the playbook; without it such files are not checked. */
  readTemplate?: (relativePath: string) => TemplateFile | undefined
}

/** A step anywhere in the file (main list, parallel branches, onError, hooks, finally). */
export interface StepAt {
  step: Step
  path: Path
  /** The list it belongs to; `needs` refers to siblings in it. */
  list: Path
  index: number
  /** Set for steps nested in a parallel or onError. */
  parent?: StepAt
}

export interface LintContext {
  source: PlaybookSource
  playbook: Playbook
  catalog: ActionCatalog
  options: LintOptions
  steps: StepAt[]
  /** Names the playbook declares, for expression and template checks. */
  scope: Omit<ExprScope, 'condition' | 'secrets'>
  diagnostics: Diagnostic[]
  /** Reports at the value of `path` (or its key). The message is prefixed with the path. */
  report(path: Path, message: string, options?: { severity?: Severity; at?: 'key' | 'value' }): void
  /** Reports at character `offset` of the string at `path`. */
  reportIn(path: Path, offset: number, message: string, severity?: Severity): void
}

export function createLintContext(source: PlaybookSource, playbook: Playbook, options: LintOptions, catalog: ActionCatalog, steps: StepAt[]): LintContext {
  const diagnostics: Diagnostic[] = []
  const ids = (o: object | undefined) => new Set(Object.keys(o ?? {}))
  return {
    source, playbook, catalog, options, steps, diagnostics,
    scope: {
      inputs: new Set([...ids(playbook.inputs), ...ids(playbook.on.command?.args)]),
      props: ids(playbook.properties),
      vars: ids(playbook.vars),
      roles: ids(playbook.roles),
      steps: new Set(steps.map((s) => s.step.id).filter((id): id is string => id !== undefined)),
      knownSecrets: options.secrets,
      choices: choiceOptions(playbook),
    },
    report(path, message, { severity = 'error', at = 'value' } = {}) {
      diagnostics.push({ file: source.file, ...source.locate(path, at), severity, message: `${formatPath(path)}: ${message}` })
    },
    reportIn(path, offset, message, severity = 'error') {
      diagnostics.push({ file: source.file, ...source.locateInValue(path, offset), severity, message: `${formatPath(path)}: ${message}` })
    },
  }
}

/** Every step of the playbook with its path, depth first in file order. */
export function collectSteps(playbook: Playbook): StepAt[] {
  const out: StepAt[] = []
  const walk = (list: readonly Step[] | undefined, listPath: Path, parent?: StepAt) => {
    list?.forEach((step, index) => {
      const at: StepAt = { step, path: [...listPath, index], list: listPath, index, parent }
      out.push(at)
      walk(step.parallel, [...at.path, 'parallel'], at)
      walk(step.onError, [...at.path, 'onError'], at)
    })
  }
  walk(playbook.steps, ['steps'])
  for (const [event, list] of Object.entries(playbook.hooks ?? {})) walk(list, ['hooks', event])
  walk(playbook.finally, ['finally'])
  return out
}

/** Options of every choice input (command args too) and property, by `inputs.x` / `props.x`. */
function choiceOptions(playbook: Playbook): Map<string, readonly (string | number)[]> {
  const out = new Map<string, readonly (string | number)[]>()
  for (const [k, d] of Object.entries({ ...playbook.on.command?.args, ...playbook.inputs })) if (d.options) out.set(`inputs.${k}`, d.options)
  for (const [k, d] of Object.entries(playbook.properties ?? {})) if (d.options) out.set(`props.${k}`, d.options)
  return out
}
