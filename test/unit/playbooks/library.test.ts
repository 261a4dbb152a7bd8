/**
 * The server's playbook library: built-ins plus PLAYBOOKS_DIR, linted with the live catalog; a
 * file saved broken keeps its last good version in service and its problems are reported.
 */
import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createPlaybookLibrary } from '../../../playbooks/library.ts'
import { defaultActionCatalog } from '../../../playbooks/dsl/index.ts'

const quiet = { info() {}, warn() {} }

function playbook(name: string, version: number, extra = ''): string {
  return `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: ${name}, title: "Check ${name}", version: ${version} }
on:
  command: { name: /${name} }
steps:
  - id: hello
    message: { to: "#town-square", text: "hello" }
${extra}`
}

describe('playbook library', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'playbooks-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('loads the built-in Incident Response and Release playbooks without errors', () => {
    const library = createPlaybookLibrary({ catalog: defaultActionCatalog, log: quiet })
    library.reload()
    expect(library.list().filter((e) => e.builtin).map((e) => e.name)).to.include.members(['incident-response', 'release'])
    expect(library.problems().filter((d) => d.severity === 'error')).to.deep.equal([])
  })

  it('adds the playbooks of PLAYBOOKS_DIR', () => {
    fs.writeFileSync(path.join(dir, 'deploy.yaml'), playbook('deploy', 1))
    const library = createPlaybookLibrary({ catalog: defaultActionCatalog, dir, log: quiet })
    library.reload()
    expect(library.get('deploy')).to.include({ builtin: false, file: path.join(dir, 'deploy.yaml') })
    expect(library.get('deploy')!.playbook.metadata.version).to.equal(1)
  })

  it('keeps the last good version of a file saved broken, and reports its problems with line numbers', () => {
    const file = path.join(dir, 'deploy.yaml')
    fs.writeFileSync(file, playbook('deploy', 1))
    const library = createPlaybookLibrary({ catalog: defaultActionCatalog, dir, log: quiet })
    library.reload()
    fs.writeFileSync(file, playbook('deploy', 2, '  - id: broken\n    uses: nosuch.action@v1\n'))
    library.reload()
    expect(library.get('deploy')!.playbook.metadata.version).to.equal(1)
    const errors = library.get('deploy')!.diagnostics.filter((d) => d.severity === 'error')
    expect(errors).to.have.length.greaterThan(0)
    expect(errors[0]).to.include({ file, line: 10 })
    expect(errors[0]!.message).to.contain('nosuch.action@v1')
    expect(library.hasErrors()).to.equal(true)
  })

  it('does not load a file that never linted, and reports it', () => {
    fs.writeFileSync(path.join(dir, 'bad.yml'), 'apiVersion: bridgehead/v1\nkind: Playbook\nmetadata: [oops\n')
    const library = createPlaybookLibrary({ catalog: defaultActionCatalog, dir, log: quiet })
    library.reload()
    expect(library.list().map((e) => e.name)).not.to.include('bad')
    expect(library.problems().some((d) => d.file === path.join(dir, 'bad.yml') && d.severity === 'error')).to.equal(true)
  })

  it('refuses a second file with a name already taken (built-ins first)', () => {
    fs.writeFileSync(path.join(dir, 'mine.yaml'), playbook('release', 9))
    const library = createPlaybookLibrary({ catalog: defaultActionCatalog, dir, log: quiet })
    library.reload()
    expect(library.get('release')!.builtin).to.equal(true)
    const clash = library.problems().find((d) => d.file === path.join(dir, 'mine.yaml'))
    expect(clash?.message).to.contain('"release" is also the name of')
  })

  it('reloads when the folder changes, and forgets removed files', async function () {
    this.timeout(10_000)
    const library = createPlaybookLibrary({ catalog: defaultActionCatalog, dir, log: quiet, debounceMs: 50 })
    library.reload()
    library.watch()
    try {
      fs.writeFileSync(path.join(dir, 'late.yaml'), playbook('late', 1))
      for (let i = 0; i < 100 && !library.get('late'); i++) await new Promise((r) => setTimeout(r, 50))
      expect(library.get('late')).to.not.equal(undefined)
      fs.rmSync(path.join(dir, 'late.yaml'))
      for (let i = 0; i < 100 && library.get('late'); i++) await new Promise((r) => setTimeout(r, 50))
      expect(library.get('late')).to.equal(undefined)
    } finally {
      library.close()
    }
  })
})
