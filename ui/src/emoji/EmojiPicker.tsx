/**
 * The emoji picker for reactions and the composer: a search box over a grid, recent emoji first.
 * Keyboard: arrows move through the grid (Down from the search box enters it), Enter picks, Esc
 * closes. One button is in the tab order at a time (roving tabindex), each labelled with its name.
 * Opening it loads the full emoji table; until then the common set shows.
 */
import type { ComponentChildren } from 'preact'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { recentEmojiNames, rememberEmoji } from './recent.ts'
import { allEmoji, emojiFor, isFullEmojiLoaded, loadFullEmoji, onFullEmojiLoaded, searchEmoji, type Emoji } from './table.ts'

export interface EmojiPickerProps {
  /** The chosen emoji's shortcode, without colons (what a reaction stores). */
  onPick: (name: string) => void
  onClose: () => void
  /** Recent names to show first; by default this browser's own list. */
  recent?: readonly string[]
  /** Buttons per row; Up and Down move by this many. */
  columns?: number
}

export interface PickerItem {
  name: string
  char: string
  recent: boolean
  /** The picker's section: `Recent`, or the emoji's category (`Smileys & Emotion`, …). */
  category: string
}

/** What the grid shows: for a query the matches, else recent emoji followed by every other one. */
export function pickerItems(query: string, recent: readonly string[]): PickerItem[] {
  if (query.trim() !== '') return searchEmoji(query.trim(), 200).map((e) => ({ name: e.name, char: e.char, recent: false, category: e.category }))
  const items: PickerItem[] = []
  const seen = new Set<string>()
  for (const name of recent) {
    const char = emojiFor(name)
    if (char && !seen.has(char)) {
      seen.add(char)
      items.push({ name, char, recent: true, category: 'Recent' })
    }
  }
  for (const emoji of allEmoji() as Emoji[]) {
    // Skin-tone swatches are modifiers, not something to react with.
    if (emoji.category === 'Component' || seen.has(emoji.char)) continue
    items.push({ name: emoji.name, char: emoji.char, recent: false, category: emoji.category })
  }
  return items
}

/** Where each section starts, for the category bar: its name, first index and first emoji. */
export function sectionStarts(items: readonly PickerItem[]): { category: string; index: number; char: string }[] {
  const starts: { category: string; index: number; char: string }[] = []
  items.forEach((item, index) => {
    if (starts[starts.length - 1]?.category !== item.category) starts.push({ category: item.category, index, char: item.char })
  })
  return starts
}

/** The index the key moves to in a grid of `count` items, `columns` wide; undefined for other keys. */
export function moveInGrid(key: string, index: number, count: number, columns: number): number | undefined {
  if (count === 0) return undefined
  const clamp = (i: number) => Math.min(Math.max(i, 0), count - 1)
  switch (key) {
    case 'ArrowRight': return clamp(index + 1)
    case 'ArrowLeft': return clamp(index - 1)
    case 'ArrowDown': return clamp(index + columns)
    case 'ArrowUp': return clamp(index - columns)
    case 'Home': return 0
    case 'End': return count - 1
    default: return undefined
  }
}

export function EmojiPicker(props: EmojiPickerProps): ComponentChildren {
  const columns = props.columns ?? 8
  const [query, setQuery] = useState('')
  const [active, setActive] = useState(0)
  const [, setLoaded] = useState(isFullEmojiLoaded())
  const grid = useRef<HTMLDivElement>(null)
  const recent = props.recent ?? recentEmojiNames()

  useEffect(() => {
    const unsubscribe = onFullEmojiLoaded(() => setLoaded(true))
    void loadFullEmoji()
    return unsubscribe
  }, [])

  const items = useMemo(() => pickerItems(query, recent), [query, recent.join(' '), isFullEmojiLoaded()])
  const current = Math.min(active, Math.max(items.length - 1, 0))

  const pick = (name: string) => {
    rememberEmoji(name)
    props.onPick(name)
  }
  const focusItem = (index: number) => {
    setActive(index)
    const button = grid.current?.querySelector<HTMLButtonElement>(`[data-index="${index}"]`)
    button?.focus()
    button?.scrollIntoView?.({ block: 'nearest' })
  }

  const onKeyDown = (event: KeyboardEvent) => {
    const inSearch = (event.target as HTMLElement | null)?.tagName === 'INPUT'
    if (event.key === 'Escape') {
      event.preventDefault()
      props.onClose()
    } else if (event.key === 'Enter' && items[current]) {
      event.preventDefault()
      pick(items[current].name)
    } else if (inSearch) {
      if (event.key === 'ArrowDown' && items.length) {
        event.preventDefault()
        focusItem(current)
      }
    } else {
      const next = moveInGrid(event.key, current, items.length, columns)
      if (next !== undefined) {
        event.preventDefault()
        focusItem(next)
      }
    }
  }

  const recentCount = items.filter((item) => item.recent).length
  return (
    <div class="emoji-picker" role="dialog" aria-label="Emoji picker" onKeyDown={onKeyDown}>
      <input
        class="emoji-picker__search"
        type="search"
        placeholder="Search emoji"
        aria-label="Search emoji"
        autoFocus
        value={query}
        onInput={(event) => {
          setQuery((event.currentTarget as HTMLInputElement).value)
          setActive(0)
        }}
      />
      {query ? null : (
        <div class="emoji-picker__categories" role="toolbar" aria-label="Emoji categories">
          {sectionStarts(items).map((section) => (
            <button type="button" class="emoji-picker__category" aria-label={section.category} title={section.category} tabIndex={-1} onClick={() => focusItem(section.index)}>
              {section.char}
            </button>
          ))}
        </div>
      )}
      <div class="emoji-picker__grid" ref={grid} role="group" aria-label={query ? 'Matching emoji' : 'Emoji'} style={{ gridTemplateColumns: `repeat(${columns}, 1fr)` }}>
        {items.length === 0 ? <p class="emoji-picker__empty">No emoji match “{query}”</p> : null}
        {items.map((item, index) => (
          <button
            type="button"
            class={index === current ? 'emoji-picker__item emoji-picker__item--active' : 'emoji-picker__item'}
            data-index={index}
            tabIndex={index === current ? 0 : -1}
            aria-label={item.recent && index < recentCount ? `${item.name} (recent)` : item.name}
            title={`:${item.name}:`}
            onClick={() => pick(item.name)}
            onFocus={() => setActive(index)}
          >
            {item.char}
          </button>
        ))}
      </div>
    </div>
  )
}
