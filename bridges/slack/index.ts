/** The Slack bridge: import of a workspace export (the live mirror comes with its own issue). */
import type { Bridge } from '../bridge.ts'
import { importSlackExport } from './import/importer.ts'

export const slackBridge: Bridge = {
  id: 'slack',
  source: 'bridges/slack/index.ts',
  displayName: 'Slack',
  import: (context, request) => importSlackExport(context, request),
}
