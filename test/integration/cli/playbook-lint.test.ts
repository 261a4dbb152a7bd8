// `bridgehead playbook lint` as a CI job of a playbook repository runs it: output and exit code.
import { expect } from 'chai'
import { spawn } from 'node:child_process'
import path from 'node:path'

const ROOT = path.resolve(import.meta.dirname, '../../..')
const FIXTURES = 'test/fixtures/playbooks'

/**
 * Runs the command from the TypeScript sources (through tsx), not from build/server: the bundle
 * is only rebuilt by `npm run build`, and this test must check the code as it is.
 */
function bridgehead(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'core/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('bridgehead playbook lint', function () {
  this.timeout(60_000)

  it('prints file:line:column: message on stdout and exits 1 when a file has an error', async () => {
    const { code, stdout, stderr } = await bridgehead(['playbook', 'lint', `${FIXTURES}/invalid/roles.yaml`])
    expect(code).to.equal(1)
    expect(stdout.split('\n')[0]).to.equal(`${FIXTURES}/invalid/roles.yaml:10:28: channel.invite[1]: unknown role "captian" (roles: commander)`)
    expect(stdout.trim().split('\n')).to.have.length(5)
    expect(stderr.trim()).to.equal('1 file checked: 5 errors, 0 warnings')
  })

  it('exits 0 for the built-in playbooks, reading their template files', async () => {
    const { code, stdout, stderr } = await bridgehead(['playbook', 'lint', 'playbooks/builtin'])
    expect({ code, stdout }).to.deep.equal({ code: 0, stdout: '' })
    expect(stderr.trim()).to.equal('2 files checked: 0 errors, 0 warnings')
  })

  it('exits 0 with warnings only, printing them', async () => {
    const { code, stdout } = await bridgehead(['playbook', 'lint', `${FIXTURES}/invalid/warnings.yaml`])
    expect(stdout).to.include(': warning: steps[1].approval: approval without a timeout waits forever')
    // legacy.notify@v1 is not in the default catalog: that one is an error.
    expect(code).to.equal(1)
  })

  it('reports a file it cannot read', async () => {
    const { code, stdout } = await bridgehead(['playbook', 'lint', `${FIXTURES}/missing.yaml`])
    expect(code).to.equal(1)
    expect(stdout.trim()).to.equal(`${FIXTURES}/missing.yaml:1:1: cannot read: ENOENT`)
  })

  it('explains its usage when no file is given', async () => {
    const { code, stderr } = await bridgehead(['playbook', 'lint'])
    expect(code).to.equal(2)
    expect(stderr).to.include('playbook lint needs at least one file')
  })
})

describe('bridgehead playbook simulate', function () {
  this.timeout(60_000)

  it('prints the plan of a run for an event at a given time and exits 0', async () => {
    const { code, stdout } = await bridgehead([
      'playbook', 'simulate', 'playbooks/builtin/incident-response.yaml',
      '--event', `${FIXTURES}/events/pagerduty-high.json`, '--at', '2026-03-02T10:00:00Z',
    ])
    expect(code).to.equal(0)
    const lines = stdout.split('\n')
    expect(lines[0]).to.equal('Playbook incident-response v1 (Incident response) at 2026-03-02T10:00:00.000Z')
    expect(lines).to.include('Channel: create public ~inc-1-api-latency-above-2s')
    expect(lines).to.include('  skipped   page [uses pagerduty.event.trigger@v1]')
    expect(lines).to.include('  2026-03-09T10:00:00.000Z  wait mitigated times out')
  })

  it('takes answers and a clock from the command line', async () => {
    const { code, stdout } = await bridgehead([
      'playbook', 'simulate', 'playbooks/builtin/release.yaml', '--event', `${FIXTURES}/events/release-command.json`,
      '--at', '2026-03-03T08:00:00Z', '--answer', 'checks=all-closed', '--answer', 'approve=approved', '--clock', '3h',
    ])
    expect(code).to.equal(0)
    const lines = stdout.split('\n')
    expect(lines).to.include('  succeeded ship [uses github.workflow.dispatch@v1]')
    expect(lines).to.include('  timed_out deployed [wait]')
  })

  it('resolves group:, team: and oncall: references from --people', async () => {
    const { code, stdout } = await bridgehead([
      'playbook', 'simulate', `${FIXTURES}/people/on-call.yaml`, '--event', `${FIXTURES}/people/manual-event.json`,
      '--at', '2026-03-03T08:00:00Z', '--people', `${FIXTURES}/people/people.yaml`, '--answer', 'ship=approved',
    ])
    expect(code).to.equal(0)
    const lines = stdout.split('\n')
    expect(lines).to.include.members(['  commander: user:dave (from)', '  members: user:dave (commander), user:carol (team:ops)', '            posts to @alice, @bob: "Paging the SRE group"'])
    expect(lines).to.include('            approved by user:rm1, user:rm2')
    expect(stdout).to.not.include('Note:')
  })

  it('says which references need --people when it is not given', async () => {
    const { code, stdout } = await bridgehead(['playbook', 'simulate', `${FIXTURES}/people/on-call.yaml`, '--event', `${FIXTURES}/people/manual-event.json`])
    expect(code).to.equal(0)
    expect(stdout.split('\n')).to.include('Note: roles.commander.from: oncall:primary is resolved by the server; pass --people to simulate it')
  })

  it('exits 2 naming the file and the bad key of a people file of the wrong shape, or one it cannot read', async () => {
    const bad = await bridgehead(['playbook', 'simulate', `${FIXTURES}/people/on-call.yaml`, '--event', `${FIXTURES}/people/manual-event.json`, '--people', `${FIXTURES}/people/bad-key.json`])
    expect(bad.code).to.equal(2)
    expect(bad.stderr.trim()).to.equal(`${FIXTURES}/people/bad-key.json: "sre" is not a group:, team: or oncall: reference (e.g. group:sre, team:ops, oncall:primary)`)
    expect(bad.stdout).to.equal('')
    const missing = await bridgehead(['playbook', 'simulate', `${FIXTURES}/people/on-call.yaml`, '--event', `${FIXTURES}/people/manual-event.json`, '--people', `${FIXTURES}/people/missing.json`])
    expect(missing.code).to.equal(2)
    expect(missing.stderr.trim()).to.match(new RegExp(`^${FIXTURES}/people/missing.json: cannot read the people file: ENOENT`))
  })

  it('refuses to simulate a playbook with lint errors, printing them', async () => {
    const { code, stderr } = await bridgehead(['playbook', 'simulate', `${FIXTURES}/invalid/roles.yaml`, '--event', `${FIXTURES}/events/pagerduty-high.json`])
    expect(code).to.equal(1)
    expect(stderr).to.include('unknown role "captian"')
  })
})

describe('bridgehead playbook test', function () {
  this.timeout(60_000)

  it('runs the tests: of each file, prints PASS/FAIL lines and a count, and exits 1 when one fails', async () => {
    const { code, stdout } = await bridgehead(['playbook', 'test', `${FIXTURES}/tested`])
    expect(code).to.equal(1)
    const lines = stdout.trim().split('\n')
    expect(lines[0]).to.equal(`PASS ${FIXTURES}/tested/failing.yaml: posts and labels a new issue`)
    expect(lines[1]).to.equal(`FAIL ${FIXTURES}/tested/failing.yaml: expects what does not happen`)
    // Hooks, compensation, a call step and an escalating approval, on the engine's planner.
    expect(lines.filter((l) => l.startsWith(`PASS ${FIXTURES}/tested/hooks.yaml: `))).to.have.length(3)
    expect(lines[lines.length - 1]).to.equal('4 passed, 1 failed')
  })

  // On the engine's planner two of the built-in release's tests fail (the steps after a rejection
  // or run.fail@v1 go on): see test/unit/playbooks/playbook-tests.test.ts.
  it('runs the built-in playbooks on the engine: their tests pass, so it exits 0', async () => {
    const { code, stdout } = await bridgehead(['playbook', 'test', 'playbooks/builtin'])
    expect(code).to.equal(0)
    const lines = stdout.trim().split('\n')
    expect(lines.filter((l) => /^(PASS|FAIL) /.test(l)).map((l) => l.split(':')[0])).to.deep.equal([
      'PASS playbooks/builtin/incident-response.yaml', 'PASS playbooks/builtin/incident-response.yaml',
      'PASS playbooks/builtin/release.yaml', 'PASS playbooks/builtin/release.yaml', 'PASS playbooks/builtin/release.yaml',
    ])
    expect(lines.pop()).to.equal('5 passed, 0 failed')
  })

  it('runs a test with people:, and prints the notes of a failing test that needs them', async () => {
    const { code, stdout } = await bridgehead(['playbook', 'test', `${FIXTURES}/people/on-call.yaml`])
    expect(code).to.equal(1)
    expect(stdout.trim().split('\n')).to.deep.equal([
      `PASS ${FIXTURES}/people/on-call.yaml: the group hears the page and the release managers approve`,
      `FAIL ${FIXTURES}/people/on-call.yaml: without people nobody is paged by name`,
      '  - messages[0]: no message to @alice matching /Paging/',
      '  note: roles.commander.from: oncall:primary is resolved by the server; give the test people: to simulate it',
      '  note: roles.scribe.from: group:sre is resolved by the server; give the test people: to simulate it',
      '  note: roles.scribe.fallback: oncall:primary is resolved by the server; give the test people: to simulate it',
      '  note: channel.invite[1]: team:ops is resolved by the server; give the test people: to simulate it',
      '  note: steps[0].message.to: group:sre is resolved by the server; give the test people: to simulate it',
      '  note: steps[1].approval.approvers: group:release-managers is resolved by the server; give the test people: to simulate it',
      '1 passed, 1 failed',
    ])
  })
})
