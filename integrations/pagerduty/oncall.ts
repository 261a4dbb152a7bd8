/**
 * PagerDuty as an on-call source (core/oncall): `oncall:<schedule>` in a playbook names whoever PagerDuty has on call
 * now for that schedule, by schedule id (`PI7DH85`) or name, through the team's PagerDuty connections in name order;
 * `oncall:<connection>/<schedule>` asks one connection. PagerDuty users map to Bridgehead users by email.
 */
import type { OutboundClient } from '../../core/outbound/client.ts'
import type { OnCallSource } from '../../core/oncall/sources.ts'
import type { ConnectionForCall } from '../connections.ts'
import { createPagerDutyClient } from './client.ts'

const SCHEDULE_ID = /^P[A-Z0-9]{5,13}$/

export function pagerDutyOnCallSource(deps: { connectionsOfTeam(teamId: string): Promise<ConnectionForCall[]>; outbound: OutboundClient }): OnCallSource {
  return {
    id: 'pagerduty',
    source: 'integrations/pagerduty',
    async onCallEmails(teamId, reference) {
      const slash = reference.indexOf('/')
      const connectionName = slash > 0 ? reference.slice(0, slash) : null
      const schedule = slash > 0 ? reference.slice(slash + 1) : reference
      if (!schedule) return null
      const connections = (await deps.connectionsOfTeam(teamId)).filter((c) => (connectionName === null || c.name === connectionName) && c.credentials.api_token)
      for (const connection of connections) {
        const client = createPagerDutyClient(deps.outbound, connection)
        const scheduleId = SCHEDULE_ID.test(schedule) ? schedule : await client.scheduleIdByName(schedule)
        if (scheduleId) return client.onCallEmails(scheduleId)
      }
      return null
    },
  }
}
