/**
 * The emoji this browser picked last, newest first, kept in localStorage so the picker opens on
 * them (as Mattermost's does). Storage may be missing or full (private mode, tests): then the list
 * lives for the page only.
 */
const KEY = 'bridgehead.recentEmojis'
const MAX = 24
let memory: string[] = []

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage
  } catch {
    return undefined
  }
}

export function recentEmojiNames(): string[] {
  const store = storage()
  if (!store) return [...memory]
  try {
    const parsed: unknown = JSON.parse(store.getItem(KEY) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter((name): name is string => typeof name === 'string').slice(0, MAX) : []
  } catch {
    return []
  }
}

export function rememberEmoji(name: string): void {
  const next = [name, ...recentEmojiNames().filter((known) => known !== name)].slice(0, MAX)
  memory = next
  try {
    storage()?.setItem(KEY, JSON.stringify(next))
  } catch {
    // Full or forbidden storage: the in-memory list above still serves this page.
  }
}
