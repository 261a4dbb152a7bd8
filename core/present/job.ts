/** Job → Mattermost JSON (model/job.go), with Bridgehead's retry fields beside it. */
import type { Job } from '../jobs/index.ts'

/**
 * Mattermost's `data` is a string map, so non-string values are sent as JSON text; a failure's
 * message goes under `data.error`, where Mattermost puts it.
 */
function stringMap(data: unknown, lastError: string | null): Record<string, string> {
  const out: Record<string, string> = {}
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    for (const [key, value] of Object.entries(data)) out[key] = typeof value === 'string' ? value : JSON.stringify(value)
  } else if (data !== undefined && data !== null) {
    out.value = JSON.stringify(data)
  }
  if (lastError !== null) out.error = lastError
  return out
}

export function presentJob(job: Job): Record<string, unknown> {
  return {
    id: job.id,
    type: job.type,
    priority: 0,
    create_at: job.createAt,
    start_at: job.startAt,
    last_activity_at: job.lastActivityAt,
    status: job.status,
    progress: job.status === 'success' ? 100 : 0,
    data: stringMap(job.data, job.lastError),
    // Not in Mattermost's model: when the job is (next) due, and its attempts so far.
    run_at: job.runAt,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
  }
}
