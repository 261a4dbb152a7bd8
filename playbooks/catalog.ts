/**
 * The catalog the server lints playbooks with: the actions registered now (core's, then
 * connectors'), with their inputs read from their schemas, plus the spec's built-in ids that the
 * run engine and connectors bring.
 */
import type { ActionDefinition, ActionRegistry } from '../core/actions/index.ts'
import { BUILTIN_ACTIONS, type ActionCatalog, type ActionInfo } from './dsl/index.ts'

/** Inputs the run engine fills in itself when a playbook leaves them out. */
const FILLED_BY_ENGINE: Record<string, string[]> = { 'channel.invite@v1': ['channel_id'] }

type Shaped = { shape?: Record<string, { safeParse(v: unknown): { success: boolean } }> }

/** The input names of an action whose schema is an object, and whether each is required. */
function inputsOf(action: ActionDefinition): ActionInfo['inputs'] {
  const shape = (action.input as unknown as Shaped).shape
  if (!shape) return undefined
  const filled = FILLED_BY_ENGINE[action.id] ?? []
  return Object.entries(shape).map(([name, field]) => ({ name, required: !filled.includes(name) && !field.safeParse(undefined).success }))
}

export function liveActionCatalog(registry: ActionRegistry): ActionCatalog {
  const list = (): ActionInfo[] => {
    const byId = new Map<string, ActionInfo>(BUILTIN_ACTIONS.map((a) => [a.id, a]))
    for (const action of registry.list()) {
      const inputs = inputsOf(action)
      byId.set(action.id, { id: action.id, sideEffects: action.sideEffect, ...(inputs ? { inputs } : {}) })
    }
    return [...byId.values()]
  }
  const builtin = new Map<string, ActionInfo>(BUILTIN_ACTIONS.map((a) => [a.id, a]))
  return {
    // The registry can grow after the catalog is made (connectors register later), so ask it each time.
    get: (id) => {
      const action = registry.get(id)
      if (!action) return builtin.get(id)
      const inputs = inputsOf(action)
      return { id: action.id, sideEffects: action.sideEffect, ...(inputs ? { inputs } : {}) }
    },
    list,
  }
}
