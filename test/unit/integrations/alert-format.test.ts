// Alert groups as the Grafana and Alertmanager bots post them: one post per group, which later deliveries edit in turn.
import { expect } from 'chai'
import { formatAlertGroupEvents } from '../../../integrations/alert-format.ts'
import { createConnectorRegistry } from '../../../integrations/index.ts'
import { createKeySerialiser } from '../../../integrations/serial-keys.ts'
import { eventsOf, fixtureBytes } from './fixture.ts'

const registry = createConnectorRegistry()
const PROBE_URL = 'http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0\u0026g0.tab=1'.replace('\\u0026', '&')
const LABELS = (instance: string) => `\`instance=${instance}\` \`job=http_checks\` \`monitor=master\` \`severity=critical\``

function postingOf(vendor: 'grafana' | 'alertmanager', file: string) {
  const postings = formatAlertGroupEvents(eventsOf(registry.get(vendor)!.parse(fixtureBytes(vendor, file), {})))
  expect(postings).to.have.length(1)
  return postings[0]!
}

/** The post after each delivery in turn, as the dispatcher edits it. */
function postAfter(vendor: 'grafana' | 'alertmanager', ...files: string[]): { text: string; props: Record<string, unknown> } {
  let post: { text: string; props: Record<string, unknown> } | null = null
  for (const file of files) {
    const { message } = postingOf(vendor, file)
    const merged: { text: string; props: Record<string, unknown> } | null = post ? message.mergeWith!(post.props) : null
    post = merged ?? { text: message.text, props: { ...message.props, from_bot: 'true' } }
  }
  return post!
}

describe('alert group posts', () => {
  it('lists every firing alert of a delivery in one post, under the group labels', () => {
    const { message } = postingOf('alertmanager', 'group.firing.json')
    expect(message.mode).to.equal('update')
    expect(message.text).to.equal([
      ':fire: **[FIRING:2] ProbeFailure**',
      `- :fire: **[ProbeFailure](${PROBE_URL})**: BlackBox Probe Failure: https://server.example.org · ${LABELS('https://server.example.org')}`,
      `- :fire: **[ProbeFailure](${PROBE_URL})**: BlackBox Probe Failure: https://api.example.org · ${LABELS('https://api.example.org')}`,
    ].join('\n'))
  })

  it('keys the post on the group, the same for every delivery of it', () => {
    expect(postingOf('alertmanager', 'group.firing.json').message.refKey).to.equal(postingOf('alertmanager', 'group.resolved.json').message.refKey)
    expect(postingOf('alertmanager', 'group.firing.json').id).not.to.equal(postingOf('alertmanager', 'group.partly-resolved.json').id)
  })

  it('marks a resolved alert and keeps the firing one first while the group still fires', () => {
    expect(postAfter('alertmanager', 'group.firing.json', 'group.partly-resolved.json').text).to.equal([
      ':fire: **[FIRING:1] ProbeFailure** · 1 resolved',
      `- :fire: **[ProbeFailure](${PROBE_URL})**: BlackBox Probe Failure: https://api.example.org · ${LABELS('https://api.example.org')}`,
      `- :white_check_mark: **[ProbeFailure](${PROBE_URL})** resolved: BlackBox Probe Failure: https://server.example.org · ${LABELS('https://server.example.org')}`,
    ].join('\n'))
  })

  it('says the whole group resolved, remembering alerts the last delivery no longer carries', () => {
    const post = postAfter('alertmanager', 'group.firing.json', 'group.partly-resolved.json', 'group.resolved.json')
    expect(post.text.split('\n')[0]).to.equal(':white_check_mark: **[RESOLVED] ProbeFailure**: all 2 alerts have resolved')
    expect(post.text).to.contain('resolved: BlackBox Probe Failure: https://server.example.org')
    expect(post.text).to.contain('resolved: BlackBox Probe Failure: https://api.example.org')
    expect(post.props.from_bot).to.equal('true')
  })

  it('takes a group Alertmanager reports resolved as resolved, alerts whose resolution it missed included', () => {
    const post = postAfter('alertmanager', 'group.firing.json', 'group.resolved.json')
    expect(post.text.split('\n')[0]).to.equal(':white_check_mark: **[RESOLVED] ProbeFailure**: all 2 alerts have resolved')
  })

  it('starts a new post when a resolved group fires again', () => {
    const resolved = postAfter('alertmanager', 'group.firing.json', 'group.resolved.json')
    expect(postingOf('alertmanager', 'group.firing.json').message.mergeWith!(resolved.props)).to.equal(null)
  })

  it('adds an alert that joins the group later', () => {
    const post = postAfter('alertmanager', 'alerts.firing.json', 'group.firing.json')
    expect(post.text.split('\n')[0]).to.equal(':fire: **[FIRING:2] ProbeFailure**')
    expect(post.text.split('\n').slice(1).map((l) => l.includes('https://api.example.org'))).to.deep.equal([false, true])
  })

  it('shows Grafana\'s runbook and silence links, the silence only while firing', () => {
    const post = postAfter('grafana', 'alerts.firing.json', 'alerts.partly-resolved.json')
    const [heading, cpu, memory] = post.text.split('\n')
    expect(heading).to.equal(':fire: **[FIRING:1] My Super Webhook** · 1 resolved')
    expect(cpu).to.contain('[Silence](https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT1%2Cteam%3Dblue%2Czone%3Deu-1)')
    expect(memory).to.equal('- :white_check_mark: **[High memory usage](https://play.grafana.org/alerting/1afz29v7z/edit)** resolved: This alert was triggered for zone us-1 · `team=blue` `zone=us-1` · [Runbook](https://myrunbook.com/runbook/1234)')
  })
})

describe('key serialiser', () => {
  it('runs work of one key one at a time, in order, and work of other keys alongside', async () => {
    const serialise = createKeySerialiser()
    const log: string[] = []
    const step = (name: string, ms: number) => async () => {
      log.push(`${name} start`)
      await new Promise((r) => setTimeout(r, ms))
      log.push(`${name} end`)
      if (name === 'a1') throw new Error('a1 failed')
    }
    const a1 = serialise('a', step('a1', 20)).catch((e: Error) => e.message)
    const a2 = serialise('a', step('a2', 1))
    const b1 = serialise('b', step('b1', 5))
    expect(await a1).to.equal('a1 failed')
    await Promise.all([a2, b1])
    expect(log.indexOf('a2 start')).to.be.greaterThan(log.indexOf('a1 end'))
    expect(log.indexOf('b1 start')).to.be.lessThan(log.indexOf('a1 end'))
  })
})
