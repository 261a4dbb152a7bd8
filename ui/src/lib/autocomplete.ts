/** Which completion the compose box should offer for the text before the cursor. */
export type Trigger = { kind: 'user' | 'channel' | 'emoji'; query: string; start: number } | { kind: 'command'; query: string; start: 0 } | null

/**
 * `@ali` → users, `~tow` → channels, `:smi` (two letters at least, as Mattermost) → emoji, and a
 * message starting with `/` (and no newline) → slash commands from the server's suggestions.
 */
export function findTrigger(text: string, cursor: number): Trigger {
  const before = text.slice(0, cursor)
  if (before.startsWith('/') && !before.includes('\n')) return { kind: 'command', query: before, start: 0 }
  const match = /(^|[\s(])([@~:])([\w.\-+]*)$/.exec(before)
  if (!match) return null
  const sigil = match[2]!
  const query = match[3]!
  const start = before.length - query.length - 1
  if (sigil === '@') return { kind: 'user', query, start }
  if (sigil === '~') return { kind: 'channel', query, start }
  if (query.length < 2) return null
  return { kind: 'emoji', query, start }
}

/** The text after choosing `replacement` for the trigger, and where the cursor goes. */
export function applyCompletion(text: string, cursor: number, trigger: NonNullable<Trigger>, replacement: string): { text: string; cursor: number } {
  const head = text.slice(0, trigger.start) + replacement + ' '
  return { text: head + text.slice(cursor), cursor: head.length }
}
