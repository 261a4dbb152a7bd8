/** The real-time layer: the event bus and the Mattermost-compatible WebSocket hub. */
export type { Audience, DomainEvent, EventBus, Subscriber, WsEvent } from './events.ts'
export { createMemoryBus, type MemoryBusOptions } from './memory-bus.ts'
export { createWebSocketHub, type HubDeps, type Identity, type WebSocketHub } from './hub.ts'
export { FORWARDED_ACTIONS } from './hub/router.ts'
