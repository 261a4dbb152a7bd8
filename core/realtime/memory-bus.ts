/** In-process event bus: the default when no `REDIS_URL` is set. */
import type { Logger } from '../log.ts'
import { deepFreeze } from '../deep-freeze.ts'
import type { DomainEvent, EventBus, Subscriber } from './events.ts'

export interface MemoryBusOptions {
  log: Logger
}


/**
 * An `EventBus` that delivers within this process. Each publish goes through JSON once, as a cross-node
 * (Redis) bus would deliver it, so a non-JSON payload fails here rather than in production on the other
 * bus; the parsed copy is deeply frozen and shared by the matching subscribers, so none can see
 * another's mutations (one would throw) and a burst does not pay a parse per subscriber.
 */
export function createMemoryBus({ log }: MemoryBusOptions): EventBus {
  const subscribers = new Map<string, Subscriber>()
  const inFlight = new Set<Promise<void>>()
  let closed = false

  async function deliver(subscriber: Subscriber, event: DomainEvent): Promise<void> {
    try {
      await subscriber.handle(event)
    } catch (err) {
      log.warn({ subscriber: subscriber.id, event: event.type, err }, 'subscriber failed')
    }
  }

  return {
    /**
     * Resolves once every matching subscriber has settled; subscriber failures are logged, never thrown.
     * @throws Error when the bus is closed or the event cannot be serialised as JSON (e.g. a bigint).
     */
    publish(event: DomainEvent): Promise<void> {
      if (closed) return Promise.reject(new Error(`event bus is closed (event ${event.type})`))
      let json: string
      try {
        json = JSON.stringify(event)
      } catch (err) {
        return Promise.reject(new Error(`event ${event.type} is not plain JSON`, { cause: err }))
      }
      const targets = [...subscribers.values()].filter((s) => s.events === '*' || s.events.includes(event.type))
      if (targets.length === 0) return Promise.resolve()
      const copy = deepFreeze(JSON.parse(json) as DomainEvent)
      const done = Promise.all(targets.map((s) => deliver(s, copy))).then(() => undefined)
      inFlight.add(done)
      void done.finally(() => inFlight.delete(done))
      return done
    },

    /** @throws Error when a subscriber with the same id is already subscribed. */
    subscribe(subscriber: Subscriber): () => void {
      if (subscribers.has(subscriber.id)) throw new Error(`subscriber "${subscriber.id}" is already subscribed`)
      subscribers.set(subscriber.id, subscriber)
      return () => {
        if (subscribers.get(subscriber.id) === subscriber) subscribers.delete(subscriber.id)
      }
    },

    /** Stops accepting events and waits for deliveries already under way. */
    async close(): Promise<void> {
      closed = true
      await Promise.all([...inFlight])
      subscribers.clear()
    },
  }
}
