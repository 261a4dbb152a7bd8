// The playbooks Bridgehead ships lint clean, templates included, so users start from working files.
import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { formatDiagnostic, loadPlaybook } from '../../../playbooks/dsl/index.ts'
import { templateReader } from '../../../playbooks/cli.ts'

const BUILTIN = path.resolve(import.meta.dirname, '../../../playbooks/builtin')

describe('built-in playbooks', () => {
  for (const name of ['incident-response.yaml', 'release.yaml']) {
    it(`${name} lints without errors or warnings`, () => {
      const file = path.join(BUILTIN, name)
      const result = loadPlaybook(name, fs.readFileSync(file, 'utf8'), { readTemplate: templateReader(file) })
      expect(result.diagnostics.map(formatDiagnostic)).to.deep.equal([])
      expect(result.playbook?.metadata.name).to.equal(name.replace('.yaml', ''))
    })
  }

  it('incident-response declares, pages, triages, waits for mitigation and resolution, then closes out', () => {
    const { playbook } = loadPlaybook('i.yaml', fs.readFileSync(path.join(BUILTIN, 'incident-response.yaml'), 'utf8'))
    expect(playbook!.steps.map((s) => s.id)).to.deep.equal(['declare', 'page', 'ack', 'ticket', 'mark', 'triage', 'mitigated', 'resolved', 'close-out'])
    expect(playbook!.retrospective?.template).to.equal('templates/incident-retro.hbs')
  })

  it('release freezes, checks, asks two approvers, ships and announces', () => {
    const { playbook } = loadPlaybook('r.yaml', fs.readFileSync(path.join(BUILTIN, 'release.yaml'), 'utf8'))
    expect(playbook!.steps.map((s) => s.id)).to.deep.equal(['freeze', 'checks', 'approve', 'ship', 'deployed', 'failed', 'markers', 'announce', 'done'])
    expect(playbook!.steps[2]!.approval?.quorum).to.equal(2)
  })
})
