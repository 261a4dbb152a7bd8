// The connector registry: one entry per vendor, in a stable order, each a complete Connector.
import { expect } from 'chai'
import { createConnectorRegistry, webhookPath } from '../../../integrations/index.ts'

describe('connector registry', () => {
  it('lists PagerDuty, Grafana, Alertmanager, GitHub, Jira and Zoom in that order', () => {
    expect(createConnectorRegistry().list().map((c) => c.id)).to.deep.equal(['pagerduty', 'grafana', 'alertmanager', 'github', 'jira', 'zoom'])
  })

  it('refuses a second connector with the same id, naming both sources', () => {
    const registry = createConnectorRegistry()
    const again = { ...registry.get('jira')!, source: 'a plugin' }
    expect(() => registry.register(again)).to.throw('connector "jira" is already registered (by integrations/jira; again by a plugin)')
  })

  it('gives every connector a body cap for the receiver, 2 MB for PagerDuty and 25 MB for GitHub', () => {
    const caps = Object.fromEntries(createConnectorRegistry().list().map((c) => [c.id, c.maxBodyBytes]))
    expect(caps).to.deep.equal({ pagerduty: 2097152, grafana: 10485760, alertmanager: 10485760, github: 26214400, jira: 10485760, zoom: 65536 })
  })

  it('marks Zoom, and only Zoom, as receiving no webhooks', () => {
    expect(createConnectorRegistry().list().filter((c) => c.inbound === false).map((c) => c.id)).to.deep.equal(['zoom'])
  })

  it('builds the webhook path vendors post to', () => {
    expect(webhookPath('pagerduty', 'k3x9w1')).to.equal('/integrations/pagerduty/k3x9w1/webhook')
  })
})
