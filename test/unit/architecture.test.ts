// Keeps the module map true: dependencies point inward, Prisma and process.env stay in their homes, no import cycles.
import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'

const ROOT = path.resolve(import.meta.dirname, '../..')
const SOURCE_DIRS = ['core', 'playbooks', 'integrations', 'bridges', 'ui/src']

interface SourceFile {
  file: string
  imports: { target: string; typeOnly: boolean; line: number }[]
  text: string
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'generated' || entry.name === 'node_modules' || entry.name === 'dist' ? [] : walk(full)
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : []
  })
}

function readSources(): SourceFile[] {
  return SOURCE_DIRS.flatMap((d) => walk(path.join(ROOT, d))).map((full) => {
    const text = fs.readFileSync(full, 'utf8')
    const imports: SourceFile['imports'] = []
    const lines = text.split('\n')
    lines.forEach((line, i) => {
      const m = /^\s*(import|export)\s+(type\s+)?(?:[^'"]*?from\s+)?['"]([^'"]+)['"]/.exec(line)
      if (m) imports.push({ target: m[3]!, typeOnly: Boolean(m[2]), line: i + 1 })
      const dyn = /await import\(['"]([^'"]+)['"]\)/.exec(line)
      if (dyn) imports.push({ target: dyn[1]!, typeOnly: false, line: i + 1 })
    })
    // Multi-line import statements: catch their `from '...'` line.
    lines.forEach((line, i) => {
      const m = /^\}\s*from\s+['"]([^'"]+)['"]/.exec(line)
      if (m) imports.push({ target: m[1]!, typeOnly: false, line: i + 1 })
    })
    return { file: path.relative(ROOT, full), imports, text }
  })
}

function resolve(from: string, target: string): string | undefined {
  if (!target.startsWith('.')) return undefined
  return path.relative(ROOT, path.resolve(ROOT, path.dirname(from), target))
}

const sources = readSources()

describe('architecture', () => {
  it('keeps core free of imports from playbooks, integrations, bridges and ui (except the composition root)', () => {
    const offending = sources
      .filter((s) => s.file.startsWith('core/') && s.file !== 'core/main.ts' && s.file !== 'core/cli.ts')
      .flatMap((s) => s.imports.map((i) => ({ s, i, to: resolve(s.file, i.target) })))
      .filter(({ to }) => to !== undefined && /^(playbooks|integrations|bridges|ui)\//.test(to))
      .map(({ s, i }) => `${s.file}:${i.line} imports ${i.target}`)
    expect(offending).to.deep.equal([])
  })

  it('keeps integrations from importing each other', () => {
    const offending = sources
      .filter((s) => /^integrations\/[^/]+\//.test(s.file))
      .flatMap((s) => {
        const own = s.file.split('/')[1]
        return s.imports
          .map((i) => ({ i, to: resolve(s.file, i.target) }))
          .filter(({ to }) => to !== undefined && /^integrations\/[^/]+\//.test(to) && to.split('/')[1] !== own)
          .map(({ i }) => `${s.file}:${i.line} imports ${i.target}`)
      })
    expect(offending).to.deep.equal([])
  })

  it('imports Prisma only in store.ts files and the database layer', () => {
    const offending = sources
      .filter((s) => !s.file.startsWith('core/db/') && !s.file.endsWith('/store.ts') && s.file !== 'core/db-client.ts')
      .flatMap((s) => s.imports.filter((i) => /@prisma\/|db\/generated/.test(i.target)).map((i) => `${s.file}:${i.line} imports ${i.target}`))
    expect(offending).to.deep.equal([])
  })

  it('reads process.env only in core/config', () => {
    const offending = sources
      .filter((s) => !s.file.startsWith('core/config/') && !s.file.startsWith('core/db/pglite-initdb'))
      .filter((s) => /process\.env\b/.test(s.text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '')))
      .map((s) => s.file)
    expect(offending).to.deep.equal([])
  })

  it('has no import cycles between source files (type-only imports aside)', () => {
    const graph = new Map<string, string[]>()
    for (const s of sources) {
      graph.set(
        s.file,
        s.imports.filter((i) => !i.typeOnly).map((i) => resolve(s.file, i.target)).filter((t): t is string => t !== undefined),
      )
    }
    const cycles: string[] = []
    const state = new Map<string, 'visiting' | 'done'>()
    const stack: string[] = []
    const visit = (node: string) => {
      if (state.get(node) === 'done') return
      if (state.get(node) === 'visiting') {
        cycles.push([...stack.slice(stack.indexOf(node)), node].join(' -> '))
        return
      }
      state.set(node, 'visiting')
      stack.push(node)
      for (const next of graph.get(node) ?? []) if (graph.has(next)) visit(next)
      stack.pop()
      state.set(node, 'done')
    }
    for (const node of graph.keys()) visit(node)
    expect(cycles).to.deep.equal([])
  })
})
