/**
 * The playbooks a server knows: the built-in files shipped in playbooks/builtin, then the YAML
 * files of PLAYBOOKS_DIR, each linted with the server's live action catalog. A file that stops
 * linting keeps its last good version in service (and its problems are reported), so a typo
 * saved into the folder never takes a playbook away mid-incident. The folder is watched and
 * reloaded on change.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatDiagnostic, hasErrors, loadPlaybook, type ActionCatalog, type Diagnostic, type Playbook } from './dsl/index.ts'
import { templateReader } from './template-files.ts'

export interface LibraryEntry {
  name: string
  playbook: Playbook
  file: string
  builtin: boolean
  /** Problems of the file as it is on disk now; errors mean `playbook` is the last good version. */
  diagnostics: Diagnostic[]
  /** The template files the playbook names, by the path it names them with; runs pin them. */
  templates: Record<string, string>
}

export interface PlaybookLibraryOptions {
  catalog: ActionCatalog
  /** Unset: built-ins only. */
  dir?: string
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void }
  /** Milliseconds of quiet after a change before reloading. */
  debounceMs?: number
  /** Called after every reload (e.g. to register the slash commands of new playbooks). */
  onReload?: () => void
}

const YAML_FILE = /\.ya?ml$/i

/** The string values of every `template` key in a parsed playbook. */
function templatePaths(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) templatePaths(v, found)
  else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'template' && typeof v === 'string') found.add(v)
      else templatePaths(v, found)
    }
  }
  return found
}

/** The built-in playbooks folder, from the source tree or from the bundle in build/server. */
export function builtinDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  for (const candidate of [path.join(here, 'builtin'), path.join(here, '..', '..', 'playbooks', 'builtin')]) {
    if (fs.existsSync(candidate)) return candidate
  }
  throw new Error(`the built-in playbooks folder is missing (looked next to ${here})`)
}

function yamlFiles(dir: string): string[] {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  return names.filter((n) => YAML_FILE.test(n)).sort().map((n) => path.join(dir, n))
}

export function createPlaybookLibrary(options: PlaybookLibraryOptions) {
  const { catalog, log } = options
  const entries = new Map<string, LibraryEntry>()
  /** `entries` sorted by name, rebuilt at each reload: every domain event asks for it. */
  let sorted: LibraryEntry[] = []
  /** Problems of files that never produced a playbook (no last good version to keep). */
  let orphanProblems: Diagnostic[] = []
  let watcher: fs.FSWatcher | undefined
  let timer: NodeJS.Timeout | undefined

  function loadFile(file: string, builtin: boolean, seen: Set<string>): void {
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (err) {
      orphanProblems.push({ file, line: 1, column: 1, severity: 'error', message: `cannot read the file: ${(err as Error).message}` })
      return
    }
    const read = templateReader(file)
    const result = loadPlaybook(file, text, { catalog, readTemplate: read })
    const name = result.playbook?.metadata.name
    // Every `template:` the file names, wherever it is (lint reads only those it checks); runs pin them.
    const templates: Record<string, string> = {}
    for (const relative of result.playbook ? templatePaths(result.playbook) : []) {
      const found = read(relative)
      if (found) templates[relative] = found.text
    }
    if (result.playbook && name) {
      if (seen.has(name)) {
        orphanProblems.push({ file, line: 1, column: 1, severity: 'error', message: `metadata.name: "${name}" is also the name of ${entries.get(name)?.file}; this file is ignored` })
        return
      }
      seen.add(name)
      entries.set(name, { name, playbook: result.playbook, file, builtin, diagnostics: result.diagnostics, templates })
      return
    }
    // Invalid: keep the last good version loaded from this same file, if any.
    const previous = [...entries.values()].find((e) => e.file === file)
    if (previous && !seen.has(previous.name)) {
      seen.add(previous.name)
      previous.diagnostics = result.diagnostics
      log.warn({ file, problems: result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic) }, 'playbook file is invalid; its last good version stays in service')
      return
    }
    orphanProblems.push(...result.diagnostics)
    log.warn({ file, problems: result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic) }, 'playbook file is invalid and not loaded')
  }

  function reload(): void {
    orphanProblems = []
    const seen = new Set<string>()
    for (const file of yamlFiles(builtinDir())) loadFile(file, true, seen)
    if (options.dir) for (const file of yamlFiles(options.dir)) loadFile(file, false, seen)
    // Files removed from the folder take their playbooks with them.
    for (const name of [...entries.keys()]) if (!seen.has(name)) entries.delete(name)
    sorted = [...entries.values()].sort((a, b) => a.name.localeCompare(b.name))
    log.info({ playbooks: [...entries.keys()], invalidFiles: new Set(orphanProblems.map((d) => d.file)).size }, 'playbooks loaded')
    options.onReload?.()
  }

  return {
    reload,
    list: (): readonly LibraryEntry[] => sorted,
    get: (name: string): LibraryEntry | undefined => entries.get(name),
    /** Every current problem: invalid files, and warnings or errors of loaded ones. */
    problems: (): Diagnostic[] => [...orphanProblems, ...[...entries.values()].flatMap((e) => e.diagnostics)],
    /** Watches PLAYBOOKS_DIR and reloads after `debounceMs` of quiet. */
    watch(): void {
      if (!options.dir || watcher) return
      fs.mkdirSync(options.dir, { recursive: true })
      watcher = fs.watch(options.dir, () => {
        clearTimeout(timer)
        timer = setTimeout(() => {
          try {
            reload()
          } catch (err) {
            log.warn({ err }, 'reloading playbooks failed')
          }
        }, options.debounceMs ?? 200)
      })
      watcher.on('error', (err) => log.warn({ err }, 'watching the playbooks folder failed'))
    },
    close(): void {
      clearTimeout(timer)
      watcher?.close()
      watcher = undefined
    },
    hasErrors: (): boolean => hasErrors(orphanProblems) || [...entries.values()].some((e) => hasErrors(e.diagnostics)),
  }
}

export type PlaybookLibrary = ReturnType<typeof createPlaybookLibrary>
