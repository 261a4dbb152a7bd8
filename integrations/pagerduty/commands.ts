/**
 * `/pagerduty ack|resolve|note <text>`: acts on the PagerDuty incident last posted in the channel (the link is stored
 * when the PagerDuty bot posts an incident there), through the PagerDuty actions, as the user who typed it.
 */
import { ActionError } from '../../core/actions/index.ts'
import type { AuthSession } from '../../core/auth/session-types.ts'
import { AppError } from '../../core/errors.ts'
import { autocompleteDataFor, ephemeral, type SlashCommand } from '../../core/commands/registry.ts'
import type { IntegrationStore } from '../store.ts'
import { incidentRefKey } from './format.ts'

const HINT = 'ack | resolve [resolution] | note <text>'
const HELP = '`/pagerduty ack`, `/pagerduty resolve [resolution]` or `/pagerduty note <text>`: acts on the PagerDuty incident posted in this channel.'

export interface PagerDutyCommandDeps {
  store: IntegrationStore
  invoke(actionId: string, input: Record<string, unknown>, session: AuthSession): Promise<Record<string, unknown>>
}

export function pagerDutyCommand(deps: PagerDutyCommandDeps): SlashCommand {
  return {
    id: 'pagerduty',
    source: 'integrations/pagerduty',
    displayName: 'PagerDuty',
    description: "Acknowledge, resolve or annotate this channel's PagerDuty incident",
    hint: HINT,
    autoComplete: true,
    autocompleteData: autocompleteDataFor('pagerduty', HINT, "Acknowledge, resolve or annotate this channel's PagerDuty incident"),
    async execute(args, message) {
      const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(message)
      const verb = match?.[1]?.toLowerCase()
      const text = (match?.[2] ?? '').trim()
      if (verb !== 'ack' && verb !== 'resolve' && verb !== 'note') return ephemeral(HELP)
      if (verb === 'ack' && text !== '') return ephemeral(HELP)
      if (verb === 'note' && text === '') return ephemeral('Write the note after `/pagerduty note`.')
      const linked = await deps.store.latestPostInChannel(args.channelId, 'pagerduty', incidentRefKey(''))
      if (!linked) return ephemeral('No PagerDuty incident has been posted in this channel.')
      const incidentId = linked.refKey.slice(incidentRefKey('').length)
      const base = { connection: linked.connectionId, incident_id: incidentId }
      try {
        if (verb === 'ack') {
          await deps.invoke('pagerduty.incident.acknowledge@v1', base, args.session)
          return ephemeral(`Acknowledged PagerDuty incident ${incidentId}.`)
        }
        if (verb === 'resolve') {
          await deps.invoke('pagerduty.incident.resolve@v1', { ...base, ...(text ? { resolution: text } : {}) }, args.session)
          return ephemeral(`Resolved PagerDuty incident ${incidentId}.`)
        }
        await deps.invoke('pagerduty.incident.note@v1', { ...base, content: text }, args.session)
        return ephemeral(`Added a note to PagerDuty incident ${incidentId}.`)
      } catch (err) {
        if (err instanceof ActionError || err instanceof AppError) return ephemeral(`PagerDuty did not take it: ${err.message}`)
        throw err
      }
    },
  }
}
