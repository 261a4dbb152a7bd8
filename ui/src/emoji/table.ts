/**
 * Emoji shortcodes → Unicode. The common names ship in the initial bundle; the full table (about
 * 1,900 emoji, 15 KB gzip) is a separate chunk that `loadFullEmoji()` brings in when the picker
 * opens or autocomplete needs it. Until then a rare name renders as its `:shortcode:` text.
 */
import { COMMON_EMOJI } from './common.generated.ts'

export interface Emoji {
  /** The first shortcode, the one the picker shows and reactions store. */
  name: string
  /** Every shortcode that means this emoji (`+1`, `thumbsup`). */
  names: string[]
  char: string
  category: string
}

let full: { byName: Map<string, Emoji>; list: Emoji[] } | undefined
let loading: Promise<void> | undefined
const listeners = new Set<() => void>()

const commonList: Emoji[] = (() => {
  const byChar = new Map<string, Emoji>()
  for (const [name, char] of Object.entries(COMMON_EMOJI)) {
    const known = byChar.get(char)
    if (known) known.names.push(name)
    else byChar.set(char, { name, names: [name], char, category: 'Common' })
  }
  return [...byChar.values()]
})()

/** The Unicode emoji for a shortcode without colons, or undefined when the name is unknown (or not loaded yet). */
export function emojiFor(name: string): string | undefined {
  if (full) return full.byName.get(name)?.char
  return Object.hasOwn(COMMON_EMOJI, name) ? COMMON_EMOJI[name] : undefined
}

/** Every emoji known now: the full table once loaded, else the common subset. */
export function allEmoji(): readonly Emoji[] {
  return full ? full.list : commonList
}

export function isFullEmojiLoaded(): boolean {
  return full !== undefined
}

/** Calls `listener` once the full table has loaded (so a view can re-render); returns an unsubscribe. */
export function onFullEmojiLoaded(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Parses the generated table: one "<emoji> <name> <alias>…" line an emoji, grouped by category. */
export function parseEmojiCategories(categories: readonly (readonly [string, string])[]): Emoji[] {
  const list: Emoji[] = []
  for (const [category, lines] of categories) {
    for (const line of lines.split('\n')) {
      const [char, ...names] = line.split(' ')
      if (char && names.length) list.push({ name: names[0], names, char, category })
    }
  }
  return list
}

/** Loads the full table once; later calls return the same promise. */
export function loadFullEmoji(): Promise<void> {
  loading ??= import('./full.generated.ts').then(({ EMOJI_CATEGORIES }) => {
    const list = parseEmojiCategories(EMOJI_CATEGORIES)
    const byName = new Map<string, Emoji>()
    for (const emoji of list) for (const name of emoji.names) byName.set(name, emoji)
    full = { byName, list }
    for (const listener of listeners) listener()
  })
  return loading
}

/**
 * Emoji whose names start with `prefix` (an exact name first, then in table order), then those
 * with a later word of the name starting with it (`check` finds `white_check_mark`): what the
 * `:emoji:` autocomplete lists.
 */
export function searchEmoji(prefix: string, limit = 20): Emoji[] {
  const query = prefix.toLowerCase().replace(/^:|:$/g, '')
  const list = allEmoji()
  if (query === '') return list.slice(0, limit)
  const exact: Emoji[] = []
  const starts: Emoji[] = []
  const words: Emoji[] = []
  for (const emoji of list) {
    if (emoji.names.includes(query)) exact.push(emoji)
    else if (emoji.names.some((name) => name.startsWith(query))) starts.push(emoji)
    else if (emoji.names.some((name) => name.split(/[_-]/).slice(1).some((word) => word.startsWith(query)))) words.push(emoji)
  }
  return [...exact, ...starts, ...words].slice(0, limit)
}
