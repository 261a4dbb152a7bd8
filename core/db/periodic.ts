/** Runs a maintenance task on a timer, one run at a time, for the embedded database's housekeeping. */
import type { Logger } from '../log.ts'

export interface PeriodicTask<T> {
  /** Runs the task now (after the run in progress, if any) and returns its result. */
  runOnce(): Promise<T>
  /** No more runs; resolves once the run in progress has ended, so the database can close under none. */
  stop(): Promise<void>
}

/**
 * Calls `task` every `intervalMs` (the timer does not hold the process open). A failed run is logged as
 * `failure` and the next tick tries again: housekeeping never takes the server down.
 */
export function runPeriodically<T>(task: () => Promise<T>, intervalMs: number, log: Logger, failure: string): PeriodicTask<T> {
  let running: Promise<unknown> = Promise.resolve()
  const runOnce = (): Promise<T> => {
    const run = running.then(task)
    running = run.catch(() => undefined)
    return run
  }
  let busy = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    runOnce()
      .catch((err: unknown) => log.warn({ err }, failure))
      .finally(() => {
        busy = false
      })
  }, intervalMs)
  timer.unref()
  return {
    runOnce,
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
