/** What every connector's actions are built with: the connection lookup (credentials opened per call) and the outbound client. */
import { z } from 'zod'
import type { OutboundClient } from '../core/outbound/client.ts'
import type { ConnectionService } from './connections.ts'

export interface ConnectorActionDeps {
  connections: Pick<ConnectionService, 'forAction'>
  outbound: OutboundClient
}

/** Every connector action names the connection whose credentials and base URL it uses, by id or by name. */
export const connectionRef = z.string().min(1, 'name a connection by id or name').max(64)
