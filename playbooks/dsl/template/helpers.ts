/** The Handlebars helpers of playbook templates (spec §3.3); pure functions of their arguments and the run data. */
import type { HelperOptions } from 'handlebars'
import { formatDuration, parseDuration } from '../duration.ts'
import { slugify } from '../slug.ts'
import { toText } from '../expr/values.ts'

/** Characters with a meaning in Mattermost Markdown, escaped by `{{md x}}`. */
const MARKDOWN = /[\\`*_{}[\]()#+\-.!|>~<]/g

/** Renders a date in a time zone: `{{date run.startedAt}}`, `{{date x "date" "Europe/Berlin"}}`. */
function date(value: unknown, ...rest: unknown[]): string {
  const [format, tz] = rest.slice(0, -1).map(toText) as [string | undefined, string | undefined]
  const d = typeof value === 'number' ? new Date(value) : new Date(toText(value))
  if (Number.isNaN(d.getTime())) return toText(value)
  const timeZone = tz || 'UTC'
  if (!format || format === 'iso') return d.toISOString()
  const options: Intl.DateTimeFormatOptions =
    format === 'date' ? { dateStyle: 'medium', timeZone } : format === 'time' ? { timeStyle: 'short', timeZone } : { dateStyle: 'medium', timeStyle: 'short', timeZone }
  return new Intl.DateTimeFormat('en-GB', options).format(d) + (format === 'date' ? '' : ` ${timeZone}`)
}

/** Names of the helpers, for the compiler's known-helpers list and the linter. */
export const HELPER_NAMES = ['md', 'slug', 'date', 'duration', 'link', 'mention', 'default', 'eq', 'ne', 'gt', 'lt'] as const
/** Block and built-in helpers Handlebars brings that templates may use. */
export const BUILTIN_HELPERS = ['if', 'unless', 'each', 'with', 'lookup'] as const

type Helper = (...args: unknown[]) => unknown
const args = (list: unknown[]) => list.slice(0, -1) // the last argument is Handlebars' options

export const HELPERS: Record<(typeof HELPER_NAMES)[number], Helper> = {
  md: (...a) => toText(args(a)[0]).replace(MARKDOWN, (c) => `\\${c}`),
  slug: (...a) => slugify(toText(args(a)[0])),
  date,
  duration: (...a) => {
    const v = args(a)[0]
    const ms = typeof v === 'number' ? v : parseDuration(toText(v))
    return ms === undefined ? toText(v) : formatDuration(ms)
  },
  link: (...a) => {
    const [url, text] = args(a).map(toText)
    return `[${text || url}](${url})`
  },
  mention: (...a) => {
    const name = toText(args(a)[0])
    const options = a[a.length - 1] as HelperOptions
    const roles = (options.data?.root as { roles?: Record<string, { username?: string } | null> } | undefined)?.roles
    if (!roles || !Object.hasOwn(roles, name)) throw new Error(`role "${name}" not defined`)
    const username = roles[name]?.username
    return username ? `@${username}` : `(no ${name})`
  },
  default: (...a) => {
    const [v, fallback] = args(a)
    return v === null || v === undefined || v === '' ? fallback : v
  },
  eq: (...a) => args(a)[0] === args(a)[1],
  ne: (...a) => args(a)[0] !== args(a)[1],
  gt: (...a) => (args(a)[0] as number) > (args(a)[1] as number),
  lt: (...a) => (args(a)[0] as number) < (args(a)[1] as number),
}
