export { ActionRegistry, ActionError, ACTION_ID_PATTERN, type ActionDefinition, type ActionContext } from './registry.ts'
export { createActionService, type ActionService, type InvokeOptions, type InvokeResult } from './service.ts'
export { createActionStore, type ActionStore } from './store.ts'
export { registerCoreActions, coreActions, type CoreActionDeps } from './builtin.ts'
