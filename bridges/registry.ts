/** The bridges this server knows, in one registry (the composition root asks it, never a bridge by name). */
import { Registry } from '../core/registry.ts'
import type { Bridge } from './bridge.ts'
import { slackBridge } from './slack/index.ts'

export function createBridgeRegistry(): Registry<Bridge> {
  const registry = new Registry<Bridge>('bridge')
  registry.register(slackBridge)
  return registry
}
