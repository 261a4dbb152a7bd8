/**
 * The catalog the server lints playbooks with: the actions registered now (core's, then
 * connectors'), plus the spec's built-in ids that the run engine and connectors bring.
 */
import type { ActionRegistry } from '../core/actions/index.ts'
import { BUILTIN_ACTIONS, type ActionCatalog, type ActionInfo } from './dsl/index.ts'

export function liveActionCatalog(registry: ActionRegistry): ActionCatalog {
  const list = (): ActionInfo[] => {
    const byId = new Map<string, ActionInfo>(BUILTIN_ACTIONS.map((a) => [a.id, a]))
    for (const action of registry.list()) byId.set(action.id, { id: action.id, sideEffects: action.sideEffect })
    return [...byId.values()]
  }
  return {
    get: (id) => list().find((a) => a.id === id),
    list,
  }
}
