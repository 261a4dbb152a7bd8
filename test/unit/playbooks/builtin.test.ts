// The playbooks Bridgehead ships lint clean, templates included, so users start from working files.
import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { formatDiagnostic, loadPlaybook } from '../../../playbooks/dsl/index.ts'
import { templateReader } from '../../../playbooks/cli.ts'
import { liveActionCatalog } from '../../../playbooks/catalog.ts'
import { ActionRegistry } from '../../../core/actions/index.ts'
import type { ConnectorActionDeps } from '../../../integrations/action-deps.ts'
import { gitHubActions } from '../../../integrations/github/actions.ts'
import { grafanaActions } from '../../../integrations/grafana/actions.ts'
import { pagerDutyActions } from '../../../integrations/pagerduty/actions.ts'

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

  // Registered connector actions carry their inputs, so lint checks every `with:` key against them.
  it('release.yaml lints clean against the registered connector actions and their inputs', () => {
    const registry = new ActionRegistry()
    const deps = {} as ConnectorActionDeps
    for (const action of [...gitHubActions(deps), ...grafanaActions(deps), ...pagerDutyActions(deps, async () => {})]) registry.register(action)
    const catalog = liveActionCatalog(registry)
    expect(catalog.get('github.workflow.dispatch@v1')?.inputs?.map((i) => i.name)).to.include.members(['connection', 'repo', 'workflow', 'ref', 'inputs'])
    expect(catalog.get('pagerduty.change_event@v1')?.inputs?.filter((i) => i.required).map((i) => i.name)).to.deep.equal(['connection', 'summary'])
    const file = path.join(BUILTIN, 'release.yaml')
    const result = loadPlaybook('release.yaml', fs.readFileSync(file, 'utf8'), { readTemplate: templateReader(file), catalog })
    expect(result.diagnostics.map(formatDiagnostic)).to.deep.equal([])
  })

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
