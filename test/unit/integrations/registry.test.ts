// The connector registry: one entry per vendor, in a stable order, each a complete Connector.
import { expect } from 'chai'
import { createConnectorRegistry, webhookPath } from '../../../integrations/index.ts'

describe('connector registry', () => {
  it('lists PagerDuty, Grafana, Alertmanager, GitHub and Jira in that order', () => {
    expect(createConnectorRegistry().list().map((c) => c.id)).to.deep.equal(['pagerduty', 'grafana', 'alertmanager', 'github', 'jira'])
  })

  it('refuses a second connector with the same id, naming both sources', () => {
    const registry = createConnectorRegistry()
    const again = { ...registry.get('jira')!, source: 'a plugin' }
    expect(() => registry.register(again)).to.throw('connector "jira" is already registered (by integrations/jira; again by a plugin)')
  })

  it('builds the webhook path vendors post to', () => {
    expect(webhookPath('pagerduty', 'k3x9w1')).to.equal('/integrations/pagerduty/k3x9w1/webhook')
  })
})
