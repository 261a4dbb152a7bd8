/** Mattermost's post search syntax (model/search_params.go) parsed into plain data; pure, no SQL. */

/** One piece of text to look for: a word (`deploy`, `deploy*` = prefix) or a quoted phrase. */
export interface SearchText {
  text: string
  prefix: boolean
  phrase: boolean
}

export interface ParsedSearch {
  /** Words and phrases to find (ANDed, or ORed with `is_or_search`). */
  terms: SearchText[]
  /** `#tags`, matched against `post.hashtags`, lower-cased, with the `#`. */
  hashtags: string[]
  excludedTerms: SearchText[]
  excludedHashtags: string[]
  /** Usernames from `from:`, lower-cased, without `@`. */
  fromUsers: string[]
  excludedUsers: string[]
  /** Channels from `in:`/`channel:`: a name (without `~`) or `@user[,user…]` for a DM/GM. */
  inChannels: string[]
  excludedChannels: string[]
  /** `ext:` values, lower-cased, without the dot: file search only (post search ignores them, as Mattermost). */
  extensions: string[]
  excludedExtensions: string[]
  /** Days as typed (`YYYY-MM-DD`); `searchDateRange` turns them into bounds in the user's time zone. */
  before?: string
  after?: string
  on?: string
  /** `-before:`, `-after:`, `-on:` (Mattermost's ExcludedBeforeDate, ExcludedAfterDate, ExcludedDate). */
  excludedBefore?: string
  excludedAfter?: string
  excludedOn?: string
}

const FLAGS = new Set(['from', 'in', 'channel', 'before', 'after', 'on', 'ext'])
/** Longer terms cannot be a word anyone typed; PostgreSQL also refuses lexemes over 2 KB. */
const MAX_TERM_LENGTH = 256
const MAX_TERMS = 64

// As Mattermost's searchTermPuncStart/End: strip punctuation around a word, keeping a leading
// `#` (hashtag), a leading `-` (exclusion, checked first) and a trailing `*` (prefix).
const PUNCT_START = /^[^\p{L}\p{N}\s#"]+/u
const PUNCT_END = /[^\p{L}\p{N}\s*"]+$/u

/** Splits on whitespace, keeping `"quoted phrases"` (optionally `-"excluded"`) as one word; an unbalanced quote is ignored. */
export function splitSearchWords(input: string): string[] {
  const words: string[] = []
  const re = /(-?)"([^"]*)"|(\S+)/gu
  for (const match of input.matchAll(re)) {
    if (match[3] !== undefined) {
      // A lone quote that never closed: treat its word as a plain word.
      const word = match[3].replace(/"/g, '')
      if (word) words.push(word)
    } else if (match[2]!.trim()) {
      words.push(`${match[1]}"${match[2]!.trim()}"`)
    }
  }
  return words
}

function cleanWord(word: string): string {
  return word.replace(PUNCT_START, '').replace(PUNCT_END, '')
}

function toText(word: string): SearchText | null {
  if (word.startsWith('"') && word.endsWith('"') && word.length >= 2) {
    const text = word.slice(1, -1).trim().slice(0, MAX_TERM_LENGTH * 4)
    return text ? { text, prefix: false, phrase: true } : null
  }
  let text = cleanWord(word)
  const prefix = text.endsWith('*')
  text = text.replace(/\*+$/, '')
  if (!text || text.length > MAX_TERM_LENGTH) return null
  return { text, prefix, phrase: false }
}

const DATE_EXCLUSIONS = { before: 'excludedBefore', after: 'excludedAfter', on: 'excludedOn' } as const

function addFlag(out: ParsedSearch, flag: string, rawValue: string, excluded: boolean): void {
  const value = rawValue.trim()
  if (!value) return
  switch (flag) {
    case 'from': {
      const name = value.replace(/^@/, '').toLowerCase()
      if (name) (excluded ? out.excludedUsers : out.fromUsers).push(name)
      return
    }
    case 'in':
    case 'channel': {
      const name = value.startsWith('@') ? value.toLowerCase() : value.replace(/^~/, '').toLowerCase()
      if (name && name !== '@') (excluded ? out.excludedChannels : out.inChannels).push(name)
      return
    }
    case 'ext': {
      const ext = value.replace(/^\./, '').toLowerCase()
      if (ext) (excluded ? out.excludedExtensions : out.extensions).push(ext)
      return
    }
    default: {
      // before/after/on: the last one of each wins, as in Mattermost.
      const day = flag as 'before' | 'after' | 'on'
      if (excluded) out[DATE_EXCLUSIONS[day]] = value
      else out[day] = value
    }
  }
}

/**
 * Parses the `terms` of a search request: words, `"phrases"`, `word*`, `-excluded`, `#tags`,
 * `from:`, `in:`/`channel:`, `before:`/`after:`/`on:`, `ext:` (each flag also as `-flag:`; a flag
 * with an empty value takes the next word). Never throws: text it cannot use is dropped.
 */
export function parseSearchTerms(input: string): ParsedSearch {
  const out: ParsedSearch = {
    terms: [], hashtags: [], excludedTerms: [], excludedHashtags: [], fromUsers: [], excludedUsers: [],
    inChannels: [], excludedChannels: [], extensions: [], excludedExtensions: [],
  }
  const words = splitSearchWords(input)
  for (let i = 0; i < words.length; i++) {
    let word = words[i]!
    const flag = /^(-?)([a-z]+):(.*)$/i.exec(word)
    if (flag && FLAGS.has(flag[2]!.toLowerCase())) {
      let value = flag[3]!
      if (!value && i + 1 < words.length) value = words[++i]!
      addFlag(out, flag[2]!.toLowerCase(), value.replace(/^"|"$/g, ''), flag[1] === '-')
      continue
    }
    const excluded = word.startsWith('-') && word.length > 1
    if (excluded) word = word.slice(1)
    if (word.startsWith('#') && !word.startsWith('"')) {
      const tag = `#${cleanWord(word.slice(1)).replace(/\*+$/, '')}`.toLowerCase()
      if (tag.length > 1 && tag.length <= MAX_TERM_LENGTH) (excluded ? out.excludedHashtags : out.hashtags).push(tag)
      continue
    }
    const text = toText(word)
    if (text) (excluded ? out.excludedTerms : out.terms).push(text)
  }
  out.terms = out.terms.slice(0, MAX_TERMS)
  out.excludedTerms = out.excludedTerms.slice(0, MAX_TERMS)
  return out
}

/**
 * True when a post search names nothing to look for: no term, tag, author, channel or day
 * (Mattermost's SqlPostStore.search answers such a search, e.g. `ext:pdf` alone, with nothing).
 */
export function isEmptySearch(parsed: ParsedSearch): boolean {
  return parsed.terms.length === 0 && parsed.hashtags.length === 0 && parsed.fromUsers.length === 0 && parsed.inChannels.length === 0 &&
    parsed.before === undefined && parsed.after === undefined && parsed.on === undefined
}

/** A `YYYY-MM-DD` day as [start, end] Unix milliseconds for a UTC offset in seconds (east positive), or null if not a date. */
export function dayBounds(day: string, timeZoneOffsetSeconds: number): [number, number] | null {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(day)
  if (!match) return null
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const utcMidnight = Date.UTC(y, m - 1, d)
  const check = new Date(utcMidnight)
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null
  const start = utcMidnight - timeZoneOffsetSeconds * 1000
  return [start, start + 86_400_000 - 1]
}

/** Bounds on create_at from the date flags. */
export interface SearchDateRange {
  /** Exclusive bounds, in milliseconds. */
  createdAfter?: number
  createdBefore?: number
  /** An inclusive [start, end] day to leave out (`-on:`). */
  excludedDay?: [number, number]
  /** An unparsable `on:`, `before:` or `after:`: the search matches nothing. */
  matchesNothing: boolean
}

/**
 * The create_at bounds of `on:`, `after:`, `before:` and their exclusions, as days in the searcher's
 * time zone (model/search_params.go). Mattermost turns an unparsable `on:`/`before:` into a zero
 * bound and `after:` into tomorrow, so such a search finds nothing; an unparsable exclusion
 * excludes nothing. Unlike Mattermost, `on:` with `after:`/`before:` keeps both (their intersection).
 */
export function searchDateRange(parsed: ParsedSearch, timeZoneOffsetSeconds: number): SearchDateRange {
  const range: SearchDateRange = { matchesNothing: false }
  const day = (value: string | undefined) => (value === undefined ? undefined : dayBounds(value, timeZoneOffsetSeconds))
  const after = (bound: number) => (range.createdAfter = Math.max(range.createdAfter ?? -Infinity, bound))
  const before = (bound: number) => (range.createdBefore = Math.min(range.createdBefore ?? Infinity, bound))
  const onDay = day(parsed.on)
  if (onDay) {
    after(onDay[0] - 1)
    before(onDay[1] + 1)
  }
  const afterDay = day(parsed.after)
  if (afterDay) after(afterDay[1])
  const beforeDay = day(parsed.before)
  if (beforeDay) before(beforeDay[0])
  range.matchesNothing = onDay === null || afterDay === null || beforeDay === null
  const excludedAfter = day(parsed.excludedAfter)
  if (excludedAfter) before(excludedAfter[1] + 1)
  const excludedBefore = day(parsed.excludedBefore)
  if (excludedBefore) after(excludedBefore[0] - 1)
  const excludedOn = day(parsed.excludedOn)
  if (excludedOn) range.excludedDay = excludedOn
  return range
}
