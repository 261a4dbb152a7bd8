/** Pure rules for showing a list of posts: day separators, the "new messages" line, merging pages. */
import type { Post } from '../api/types.ts'

export type ListRow =
  | { kind: 'date'; key: string; label: string }
  | { kind: 'new'; key: string }
  | { kind: 'post'; key: string; post: Post; continued: boolean }

/** A local calendar day key, e.g. 2026-11-26. */
export function dayKey(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

// Built once: a formatter per call (toLocaleDateString with options) is slow in a long list.
const DAY = new Intl.DateTimeFormat(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' })

export function dayLabel(ms: number, now: number): string {
  if (dayKey(ms) === dayKey(now)) return 'Today'
  if (dayKey(ms) === dayKey(now - 86_400_000)) return 'Yesterday'
  return DAY.format(ms)
}

/**
 * Rows for posts in time order: a date row before each new day, one "new messages" line before
 * the first post by someone else after `newSince`, and consecutive posts by the same author
 * within five minutes marked `continued` (shown without repeating the name).
 */
export function buildRows(posts: Post[], options: { newSince?: number; myId?: string; now: number }): ListRow[] {
  const rows: ListRow[] = []
  let lastDay = ''
  let prev: Post | undefined
  let newShown = false
  for (const post of posts) {
    const day = dayKey(post.create_at)
    if (day !== lastDay) {
      rows.push({ kind: 'date', key: `date-${day}`, label: dayLabel(post.create_at, options.now) })
      lastDay = day
      prev = undefined
    }
    if (!newShown && options.newSince !== undefined && options.newSince > 0 && post.create_at > options.newSince && post.user_id !== options.myId) {
      rows.push({ kind: 'new', key: 'new-messages' })
      newShown = true
      prev = undefined
    }
    const continued = prev !== undefined && prev.user_id === post.user_id && post.create_at - prev.create_at < 5 * 60_000 && !post.type && !prev.type
    rows.push({ kind: 'post', key: post.id, post, continued })
    prev = post
  }
  return rows
}

/** Merges ids into an ordered list by creation time without duplicates (pages and live events overlap). */
export function mergeOrder(existing: string[], incoming: string[], createAt: (id: string) => number): string[] {
  const all = new Set([...existing, ...incoming])
  return [...all].sort((a, b) => createAt(a) - createAt(b) || (a < b ? -1 : a > b ? 1 : 0))
}
