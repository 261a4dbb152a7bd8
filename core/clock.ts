/** Milliseconds since the epoch: every `*_at` field in the API uses this unit. */
export function nowMillis(): number {
  return Date.now()
}
