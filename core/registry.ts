/** One generic registry for every extension point (slash commands, actions, connectors, …). */

export interface Registered {
  /** Unique key within the registry (a trigger, an action id, a vendor id). */
  id: string
  /** Who registered it, to name both sides of a duplicate. */
  source?: string
}

export class Registry<T extends Registered> {
  readonly #entries = new Map<string, T>()

  constructor(readonly kind: string) {}

  /** @throws Error when an entry with the same id is already registered. */
  register(entry: T): void {
    const existing = this.#entries.get(entry.id)
    if (existing) {
      throw new Error(
        `${this.kind} "${entry.id}" is already registered (by ${existing.source ?? 'unknown'}; again by ${entry.source ?? 'unknown'})`,
      )
    }
    this.#entries.set(entry.id, entry)
  }

  get(id: string): T | undefined {
    return this.#entries.get(id)
  }

  /** Entries in registration order. */
  list(): T[] {
    return [...this.#entries.values()]
  }
}
