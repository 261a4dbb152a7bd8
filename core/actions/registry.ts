/**
 * The action registry: named, versioned operations (`channel.invite@v1`, `jira.issue.create@v1`)
 * that core registers first and integrations add to. Playbook steps and slash commands call them
 * by id; the playbook linter checks ids and inputs against the same entries.
 */
import type { z } from 'zod'
import { Registry, type Registered } from '../registry.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { Logger } from '../log.ts'

/** What an action runs with, beyond its input. */
export interface ActionContext {
  /** Who acts: permission checks inside core services use this session. */
  session: AuthSession
  /** Same key, same effect: the service returns the stored result of a key that already succeeded. */
  idempotencyKey: string
  /** Aborted when the caller gives up (timeout, shutdown); long calls should stop. */
  signal: AbortSignal
  log: Logger
}

export interface ActionDefinition<I = any, O extends Record<string, unknown> = Record<string, unknown>> extends Registered {
  /** `<area>.<object>.<verb>@v<N>` or `<area>.<verb>@v<N>`; a breaking change is a new version. */
  id: string
  description: string
  /** Validates (and defaults) the input; its issues name the field. */
  input: z.ZodType<I>
  /** Names of the outputs a caller may reference (`steps.<id>.outputs.<name>`). */
  outputs: readonly string[]
  /** Changes something outside the run (a post, a channel, a vendor's API); the linter warns without an explicit idempotency key. */
  sideEffect: boolean
  run(input: I, ctx: ActionContext): Promise<O>
}

/**
 * A failure an action reports. `retryable` failures (429, 5xx, timeouts, network) may succeed
 * later and are retried by the caller's policy; the rest fail at once.
 */
export class ActionError extends Error {
  readonly retryable: boolean
  readonly status: number | undefined
  readonly retryAfterMs: number | undefined

  constructor(message: string, options: { retryable: boolean; status?: number; retryAfterMs?: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ActionError'
    this.retryable = options.retryable
    this.status = options.status
    this.retryAfterMs = options.retryAfterMs
  }
}

export const ACTION_ID_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+@v[1-9][0-9]*$/

export class ActionRegistry extends Registry<ActionDefinition> {
  constructor() {
    super('action')
  }

  /** @throws Error for an id that is not `name.verb@vN` or is taken. */
  override register(entry: ActionDefinition): void {
    if (!ACTION_ID_PATTERN.test(entry.id)) throw new Error(`action id "${entry.id}" must look like "area.verb@v1" (from ${entry.source ?? 'unknown'})`)
    super.register(entry)
  }
}
