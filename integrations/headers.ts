/** Reading webhook headers by name whatever their case, as HTTP says they are compared. */
import type { WebhookHeaders } from './connector.ts'

/** The header's value, the first one when repeated, or undefined when absent or empty. */
export function readHeader(headers: WebhookHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue
    const first = typeof value === 'string' ? value : value[0]
    return first === undefined || first === '' ? undefined : first
  }
  return undefined
}
