// Reading playbook YAML: 1.2 core schema, positions kept, bad YAML reported instead of thrown.
import { expect } from 'chai'
import { formatDiagnostic, loadSource } from '../../../playbooks/dsl/index.ts'

describe('playbook loader', () => {
  it('keeps `on:` and `yes` as strings (YAML 1.2 core schema, not 1.1 booleans)', () => {
    const source = loadSource('p.yaml', 'on:\n  command: { name: /x }\nanswer: yes\n')
    expect(source.value).to.deep.equal({ on: { command: { name: '/x' } }, answer: 'yes' })
  })

  it('reports invalid YAML with a line and column (where the parser gave up) and never throws', () => {
    const source = loadSource('bad.yaml', 'steps:\n  - id: a\n    name: "unterminated\n')
    expect(source.value).to.equal(undefined)
    expect(source.diagnostics.map(formatDiagnostic)).to.deep.equal(['bad.yaml:4:1: Missing closing "quote'])
  })

  it('reports a duplicate key at the second one', () => {
    const source = loadSource('dup.yaml', 'kind: Playbook\nkind: Playbook\n')
    expect(source.diagnostics.map(formatDiagnostic)).to.deep.equal(['dup.yaml:2:1: Map keys must be unique'])
  })

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n' + Array.from({ length: 8 }, (_, i) => `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10).fill('*' + (i === 0 ? 'a' : 'bcdefghi'[i - 1])).join(', ')}]`).join('\n') + '\n'
    const source = loadSource('bomb.yaml', bomb)
    expect(source.value).to.equal(undefined)
    expect(source.diagnostics[0]!.message).to.match(/^cannot read the document: Excessive alias count/)
  })

  it('locates a key, a value and a character inside a quoted or block value', () => {
    const source = loadSource('p.yaml', 'steps:\n  - id: a\n    if: "${{ foo }}"\n    text: |\n      hello\n      {{ bar }}\n')
    expect(source.locate(['steps', 0, 'if'], 'key')).to.deep.equal({ line: 3, column: 5 })
    expect(source.locate(['steps', 0, 'if'])).to.deep.equal({ line: 3, column: 9 })
    expect(source.locateInValue(['steps', 0, 'if'], 4)).to.deep.equal({ line: 3, column: 14 })
    expect(source.locateInValue(['steps', 0, 'text'], 9)).to.deep.equal({ line: 6, column: 10 })
  })

  it('locates a missing key at its nearest parent', () => {
    const source = loadSource('p.yaml', 'steps:\n  - id: a\n')
    expect(source.locate(['steps', 0, 'uses'])).to.deep.equal({ line: 2, column: 5 })
  })
})
