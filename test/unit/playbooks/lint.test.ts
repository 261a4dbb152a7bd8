// `playbook lint` rules, one fixture per family under test/fixtures/playbooks/invalid, messages as printed.
import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { BUILTIN_ACTIONS, createActionCatalog, formatDiagnostic, hasErrors, loadPlaybook, type LintOptions } from '../../../playbooks/dsl/index.ts'

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/playbooks')
const lint = (name: string, options: LintOptions = {}) =>
  loadPlaybook(name, fs.readFileSync(path.join(FIXTURES, name), 'utf8'), options).diagnostics.map(formatDiagnostic)

describe('playbook lint', () => {
  describe('YAML and shape', () => {
    it('reports a YAML syntax error with its line and column', () => {
      expect(lint('invalid/syntax.yaml')).to.deep.equal(['invalid/syntax.yaml:4:1: Flow map in block collection must be sufficiently indented and end with a }'])
    })

    it('reports unknown keys at the key, suggests the close one, and names bad values', () => {
      expect(lint('invalid/shape.yaml')).to.deep.equal([
        'invalid/shape.yaml:3:19: metadata.name: "Shape_Bad" does not match ^[a-z0-9][a-z0-9-]*$',
        'invalid/shape.yaml:5:3: on.comand: unknown key (did you mean command?)',
        'invalid/shape.yaml:8:28: steps[0].message.txt: unknown key (did you mean text?)',
        'invalid/shape.yaml:9:31: steps[0].retry.backoff: expected one of fixed, exponential (got "linear")',
        'invalid/shape.yaml:10:5: steps[0].continue_on_error: unknown key (did you mean continue-on-error?)',
      ])
    })
  })

  describe('roles', () => {
    it('reports an unknown role with its line and column', () => {
      expect(lint('invalid/roles.yaml')).to.include('invalid/roles.yaml:10:28: channel.invite[1]: unknown role "captian" (roles: commander)')
    })

    it('reports unknown roles in assignees, mentions and expressions, and nothing else', () => {
      expect(lint('invalid/roles.yaml')).to.deep.equal([
        'invalid/roles.yaml:10:28: channel.invite[1]: unknown role "captian" (roles: commander)',
        'invalid/roles.yaml:15:45: steps[0].checklist.items[0].assignee: unknown role "oncall" (roles: commander)',
        'invalid/roles.yaml:19:30: steps[1].message.text: unknown role "comander"',
        'invalid/roles.yaml:19:52: steps[1].message.text: ${{ }} is not allowed in a Handlebars field; write {{ }} with the same context names',
        'invalid/roles.yaml:19:62: steps[1].message.text: unknown role "lead"',
      ])
    })
  })

  describe('references', () => {
    it('reports a reference without a known prefix (user:, group:, team:, role:, oncall:, #channel)', () => {
      expect(lint('invalid/references.yaml')).to.deep.equal([
        'invalid/references.yaml:7:56: roles.commander.fallback: "oncall-primary" is not a reference (user:name, group:name, team:name, role:name, oncall:schedule, #channel)',
        'invalid/references.yaml:10:12: channel.invite[0]: "roel:commander" is not a reference (user:name, group:name, team:name, role:name, oncall:schedule, #channel)',
        'invalid/references.yaml:13:20: steps[0].message.to: "alice" is not a reference (user:name, group:name, team:name, role:name, oncall:schedule, #channel)',
      ])
    })

    it('reports a secret the server does not have, when it is told which it has', () => {
      expect(lint('invalid/references.yaml', { secrets: new Set(['hook_token']) })).to.include(
        'invalid/references.yaml:17:69: steps[1].with.token: unknown secret "hook_tokn"',
      )
    })
  })

  describe('steps', () => {
    const found = () => lint('invalid/steps.yaml')

    it('reports a duplicate step id and where the first one is', () => {
      expect(found()).to.include('invalid/steps.yaml:9:9: steps[1].id: duplicate step id "first" (first at 7:5)')
    })

    it('reports a step with two kinds and a step with none', () => {
      expect(found()).to.include.members([
        'invalid/steps.yaml:13:5: steps[2].message: a step has exactly one kind, but this one has uses and message',
        'invalid/steps.yaml:14:5: steps[3]: a step needs one of uses, message, status_update, checklist, approval, wait, set, parallel, call',
      ])
    })

    it('reports with: on a step that is no action', () => {
      expect(found()).to.include('invalid/steps.yaml:18:5: steps[4].with: with: is only for uses and call steps')
    })

    it('reports unknown action ids, unknown versions and missing versions', () => {
      expect(found()).to.include.members([
        'invalid/steps.yaml:20:11: steps[5].uses: unknown action "jira.issue.create@v2" (known versions: @v1)',
        'invalid/steps.yaml:23:11: steps[6].uses: action "jira.issue.create" needs a version (jira.issue.create@v1)',
        'invalid/steps.yaml:25:11: steps[7].uses: unknown action "acme.rocket.launch@v1"',
      ])
    })

    it('reports a needs cycle and an unknown id in needs', () => {
      expect(found()).to.include.members([
        'invalid/steps.yaml:27:5: steps[8].needs: dependency cycle: a -> b -> a',
        'invalid/steps.yaml:30:16: steps[9].needs[1]: unknown step "ghost"',
      ])
    })

    it('reports a step whose condition is always false, and steps after the run has ended', () => {
      expect(found()).to.include.members([
        'invalid/steps.yaml:33:9: steps[10].if: never runs: its condition is always false',
        'invalid/steps.yaml:37:5: steps[12]: never runs: the run ends at run.fail@v1 (step "end") before it',
      ])
    })

    it('lets a step after a skipped one run, and an always() step after run.fail', () => {
      expect(found().filter((d) => /steps\[(11|13|14)\]/.test(d))).to.deep.equal([])
      expect(found()).to.have.length(11)
    })

    it('follows needs that point to a later step when finding steps after the end of the run', () => {
      const text = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: f, version: 1 }
on: { manual: {} }
steps:
  - { id: a, needs: [stop], uses: timeline.add@v1 }
  - { id: stop, needs: [], uses: run.finish@v1 }
`
      expect(loadPlaybook('f.yaml', text).diagnostics.map(formatDiagnostic)).to.deep.equal([
        'f.yaml:6:5: steps[0]: never runs: the run ends at run.finish@v1 (step "stop") before it',
      ])
    })

    it('checks with: keys against the inputs the catalog knows for an action', () => {
      const catalog = createActionCatalog([
        { id: 'jira.issue.create@v1', sideEffects: true, inputs: [{ name: 'project', required: true }, { name: 'summary', required: true }, { name: 'labels', required: false }] },
      ])
      const text = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: j, version: 1 }
on: { manual: {} }
steps:
  - id: ticket
    uses: jira.issue.create@v1
    idempotencyKey: "j-\${{ run.id }}"
    with: { project: OPS, sumary: "\${{ run.title }}" }
`
      expect(loadPlaybook('j.yaml', text, { catalog }).diagnostics.map(formatDiagnostic)).to.deep.equal([
        'j.yaml:9:5: steps[0].with: jira.issue.create@v1 needs "summary" in with:',
        'j.yaml:9:27: steps[0].with.sumary: jira.issue.create@v1 has no input "sumary" (did you mean summary?)',
      ])
    })

    it('reports a value split in two by a comma in a flow mapping', () => {
      const text = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: c, version: 1 }
on: { manual: {} }
steps:
  - { id: stop, uses: run.fail@v1, with: { reason: Not approved, or the deploy failed } }
`
      expect(loadPlaybook('c.yaml', text).diagnostics.map(formatDiagnostic)).to.deep.equal([
        'c.yaml:6:66: steps[0].with["or the deploy failed"]: a key with spaces and no value: a comma in an unquoted value split it in two; quote the value',
      ])
    })

    it('takes the known actions from the catalog it is given', () => {
      const catalog = createActionCatalog([...BUILTIN_ACTIONS, { id: 'acme.rocket.launch@v1', sideEffects: false }])
      expect(lint('invalid/steps.yaml', { catalog }).filter((d) => d.includes('acme.rocket'))).to.deep.equal([])
    })
  })

  describe('values', () => {
    it('reports bad durations, cron, time zones, due times and input definitions', () => {
      expect(lint('invalid/values.yaml')).to.deep.equal([
        'invalid/values.yaml:5:21: on.schedule.cron: invalid cron expression "0 25 * * *": CronPattern: Invalid value for hour: 25',
        'invalid/values.yaml:7:36: inputs.title.required: a schedule trigger cannot supply required input "title"; give it a default',
        'invalid/values.yaml:8:18: inputs.level.type: a choice needs options',
        'invalid/values.yaml:9:53: inputs.sev.default: default 4 is not one of the options',
        'invalid/values.yaml:11:35: properties.open.default: default "yes" is not a boolean',
        'invalid/values.yaml:14:12: reminders[0].every: "30 minutes" is not a duration (30s, 15m, 2h, 1d, never)',
        'invalid/values.yaml:16:57: reminders[0].quietHours.timezone: unknown time zone "Mars/Olympus"',
        'invalid/values.yaml:20:18: steps[0].wait.for: "1 hour" is not a duration (30s, 15m, 2h, 1d)',
        'invalid/values.yaml:24:31: steps[1].checklist.items[0].due: "15 minutes" is neither a duration (15m) nor an ISO 8601 time with offset',
        'invalid/values.yaml:25:32: steps[1].checklist.items[1].due: "2026-01-01T12:00:00" is neither a duration (15m) nor an ISO 8601 time with offset',
        'invalid/values.yaml:28:14: steps[2].timeout: "5x" is not a duration (30s, 15m, 2h, 1d)',
      ])
    })
  })

  describe('expressions and templates', () => {
    it('reports each problem at its character inside the field', () => {
      expect(lint('invalid/expressions.yaml')).to.deep.equal([
        'invalid/expressions.yaml:10:14: steps[0].if: unknown context "input" (expected one of trigger, inputs, run, props, roles, steps, vars, secrets, hook)',
        'invalid/expressions.yaml:15:19: steps[0].with.title: upper() takes 1 argument, got 2',
        'invalid/expressions.yaml:19:22: steps[1].message.text: secrets are never rendered into text',
        'invalid/expressions.yaml:19:47: steps[1].message.text: ${{ }} is not allowed in a Handlebars field; write {{ }} with the same context names',
        'invalid/expressions.yaml:22:29: steps[2].status_update.text: unknown step "pag"',
        'invalid/expressions.yaml:22:48: steps[2].status_update.text: unknown helper "shout" (known: md, slug, date, duration, link, mention, default, eq, ne, gt, lt, if, unless, each, with, lookup)',
        'invalid/expressions.yaml:25:27: steps[3].with.summary: failure() is only allowed in if:',
        'invalid/expressions.yaml:25:55: steps[3].with.summary: unknown step field "output" (expected one of status, outputs, attempts, startedAt, finishedAt)',
        'invalid/expressions.yaml:25:69: steps[3].with.summary: unknown function "bogus"',
        'invalid/expressions.yaml:26:25: steps[3].name: secrets may only be used in with: of an action, never rendered into text',
        'invalid/expressions.yaml:28:31: steps[4].if: unexpected end of expression',
      ])
    })

    it('checks the channel header as a template', () => {
      const text = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: h, version: 1 }
on: { manual: {} }
channel: { name: h, header: "{{props.sev}} \${{ run.id }}" }
steps:
  - { id: a, set: { status: resolved } }
`
      expect(loadPlaybook('h.yaml', text).diagnostics.map(formatDiagnostic)).to.deep.equal([
        'h.yaml:5:38: channel.header: unknown property "sev"',
        'h.yaml:5:44: channel.header: ${{ }} is not allowed in a Handlebars field; write {{ }} with the same context names',
      ])
    })

    it('allows secrets in with: (steps[0].with.url has one and is not reported)', () => {
      expect(lint('invalid/expressions.yaml').filter((d) => d.includes('with.url'))).to.deep.equal([])
    })

    it('checks template files through the reader it is given (the fixture names a file that is not there)', () => {
      const text = fs.readFileSync(path.join(FIXTURES, 'template-file/with-template.yaml'), 'utf8')
      const readTemplate = (p: string) => (p === 'templates/summary.hbs' ? { file: 'templates/summary.hbs', text: 'Run {{run.title}}\nby {{mention "boss"}}\n' } : undefined)
      expect(loadPlaybook('template-file/with-template.yaml', text, { readTemplate }).diagnostics.map(formatDiagnostic)).to.deep.equal([
        'templates/summary.hbs:2:14: steps[0].status_update.template (template): unknown role "boss"',
      ])
      expect(loadPlaybook('template-file/with-template.yaml', text, { readTemplate: () => undefined }).diagnostics.map(formatDiagnostic)).to.deep.equal([
        'template-file/with-template.yaml:9:17: steps[0].status_update.template: template file "templates/summary.hbs" not found',
      ])
    })
  })

  describe('warnings (spec §15)', () => {
    const catalog = createActionCatalog([...BUILTIN_ACTIONS, { id: 'legacy.notify@v1', sideEffects: true, deprecated: 'use http.request@v1' }])

    it('warns about side effects without a key, waits without timeouts, endless reminders and deprecated actions', () => {
      expect(lint('invalid/warnings.yaml', { catalog })).to.deep.equal([
        'invalid/warnings.yaml:7:16: warning: reminders[0].every: reminder without until: keeps firing until the run finishes',
        'invalid/warnings.yaml:10:11: warning: steps[0].uses: pagerduty.incident.create@v1 has side effects; give the step an explicit idempotencyKey',
        'invalid/warnings.yaml:13:5: warning: steps[1].approval: approval without a timeout waits forever',
        'invalid/warnings.yaml:15:5: warning: steps[2].wait: wait without a timeout may wait forever',
        'invalid/warnings.yaml:17:11: warning: steps[3].uses: legacy.notify@v1 is deprecated: use http.request@v1',
      ])
    })

    it('still returns the playbook when there are only warnings', () => {
      const result = loadPlaybook('w.yaml', fs.readFileSync(path.join(FIXTURES, 'invalid/warnings.yaml'), 'utf8'), { catalog })
      expect(hasErrors(result.diagnostics)).to.equal(false)
      expect(result.playbook?.metadata.name).to.equal('warnings')
    })
  })
})
