/**
 * Calls actions by id: validates the input against the action's schema (naming the field), and
 * makes the idempotency key hold: a key whose call succeeded returns the stored result and calls
 * nothing; a key whose earlier call never finished (a crash mid-call) calls again, which is why
 * side-effecting actions pass the key on to the vendor where the vendor supports one.
 */
import { AppError } from '../errors.ts'
import { nowMillis } from '../clock.ts'
import type { Logger } from '../log.ts'
import type { AuthSession } from '../auth/session-types.ts'
import { ActionError, type ActionRegistry } from './registry.ts'
import type { ActionStore } from './store.ts'

export interface InvokeOptions {
  session: AuthSession
  /** Default: a call that is not idempotent across retries. */
  idempotencyKey?: string
  signal?: AbortSignal
}

export interface InvokeResult {
  outputs: Record<string, unknown>
  /** True when the key had already succeeded and nothing was called. */
  replayed: boolean
}

function invalidInput(actionId: string, detailed: string): AppError {
  return new AppError('app.action.invalid_input.app_error', `Invalid input for ${actionId}: ${detailed}`, 400, { detailed, context: { actionId } })
}

export function createActionService(options: { registry: ActionRegistry; store: ActionStore; log: Logger; now?: () => number }) {
  const { registry, store, log } = options
  const now = options.now ?? nowMillis

  return {
    registry,

    /**
     * Runs action `id` with `input`.
     * @throws AppError 404 for an unknown action, 400 for an input its schema refuses (the message
     *   names the field); ActionError from the action itself (`retryable` tells the caller's policy).
     */
    async invoke(id: string, input: unknown, invoke: InvokeOptions): Promise<InvokeResult> {
      const action = registry.get(id)
      if (!action) throw new AppError('app.action.not_found.app_error', `Unknown action ${id}.`, 404, { context: { actionId: id } })
      const parsed = action.input.safeParse(input ?? {})
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!
        const path = issue.path.length > 0 ? `with.${issue.path.join('.')}` : 'with'
        throw invalidInput(id, `${path}: ${issue.message}`)
      }
      const key = invoke.idempotencyKey
      if (key) {
        const previous = await store.begin(key, id, parsed.data, now())
        if (previous?.status === 'succeeded') return { outputs: previous.result ?? {}, replayed: true }
        if (previous && previous.actionId !== id) throw invalidInput(id, `idempotency key "${key}" was used for ${previous.actionId}`)
      }
      const signal = invoke.signal ?? new AbortController().signal
      try {
        const outputs = await action.run(parsed.data, { session: invoke.session, idempotencyKey: key ?? '', signal, log: log.child({ action: id }) })
        if (key) await store.succeed(key, outputs, now())
        return { outputs, replayed: false }
      } catch (err) {
        if (key) await store.fail(key, (err as Error).message, now())
        if (err instanceof ActionError || err instanceof AppError) throw err
        throw new ActionError(`${id} failed: ${(err as Error).message}`, { retryable: false, cause: err })
      }
    },
  }
}

export type ActionService = ReturnType<typeof createActionService>
