// Bad input never crashes the linter: mangled playbooks come back as diagnostics, never as exceptions.
import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { loadPlaybook, formatDiagnostic } from '../../../playbooks/dsl/index.ts'

const BUILTIN = path.resolve(import.meta.dirname, '../../../playbooks/builtin')
const originals = ['incident-response.yaml', 'release.yaml'].map((f) => fs.readFileSync(path.join(BUILTIN, f), 'utf8'))

/** mulberry32: a seeded generator, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const PIECES = ['${{', '}}', '{{', '#', ':', '- ', '  ', '\n', "'", '"', '[', ']', '{', '}', 'role:x', 'needs: [declare]', 'uses: x@v9', '&a', '*a', 'null', '1d', '!']

function mangle(text: string, rnd: () => number): string {
  const lines = text.split('\n')
  for (let n = 0; n < 3; n++) {
    const i = Math.floor(rnd() * lines.length)
    const line = lines[i]!
    const at = Math.floor(rnd() * (line.length + 1))
    switch (Math.floor(rnd() * 4)) {
      case 0:
        lines.splice(i, 1)
        break
      case 1:
        lines[i] = line.slice(0, at) + PIECES[Math.floor(rnd() * PIECES.length)] + line.slice(at)
        break
      case 2:
        lines[i] = line.slice(0, at) + line.slice(at + 1 + Math.floor(rnd() * 5))
        break
      default:
        lines.splice(i, 0, lines[Math.floor(rnd() * lines.length)]!)
    }
  }
  return lines.join('\n')
}

describe('playbook lint on mangled input', () => {
  it('returns diagnostics with positions for 400 mangled copies of the built-ins, never throwing', () => {
    const rnd = random(20261125)
    let withFindings = 0
    for (let n = 0; n < 400; n++) {
      const text = mangle(originals[n % 2]!, rnd)
      let diagnostics
      try {
        diagnostics = loadPlaybook('m.yaml', text).diagnostics
      } catch (err) {
        throw new Error(`case ${n} threw ${(err as Error).stack}\n--- input ---\n${text}`)
      }
      for (const d of diagnostics) expect(formatDiagnostic(d)).to.match(/^m\.yaml:\d+:\d+: /)
      if (diagnostics.length > 0) withFindings++
    }
    expect(withFindings).to.be.greaterThan(200)
  })

  it('reports documents of the wrong shape at the top', () => {
    expect(loadPlaybook('e.yaml', '').diagnostics.map(formatDiagnostic)).to.deep.equal(['e.yaml:1:1: (document): expected object'])
    expect(loadPlaybook('l.yaml', '- a\n- b\n').diagnostics.map(formatDiagnostic)).to.deep.equal(['l.yaml:1:1: (document): expected object'])
  })
})
