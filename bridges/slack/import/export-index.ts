/**
 * The export's index files (users.json, channels.json, groups.json, mpims.json, dms.json) read into
 * checked shapes: numbers that arrive as strings are coerced, entries that cannot be used are
 * reported by file and position and left out.
 */
import type { ImportReport } from './report.ts'
import { entriesWithId, isObj, str } from './json-shape.ts'

export interface SlackUser {
  id: string
  name: string
  realName: string
  firstName: string
  lastName: string
  displayName: string
  title: string
  email: string
  deleted: boolean
  isBot: boolean
  botId: string
  /** ms; 0 when unknown. */
  updated: number
  tz: string
}

export type SlackChannelKind = 'public' | 'private' | 'mpim' | 'dm'

export interface SlackChannel {
  id: string
  kind: SlackChannelKind
  /** Folder name in the export: the channel or MPIM name, a DM's id. */
  folder: string
  name: string
  created: number
  creator: string
  archived: boolean
  members: string[]
  topic: string
  purpose: string
  /** ms; 0 when unknown. */
  updated: number
  /** Message ts values pinned in 2016-era exports. */
  pins: string[]
}


/** A Slack epoch as ms: strings coerced, values above 10^11 taken as ms already (§4.1). NaN → 0. */
export function epochMs(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
  if (!Number.isFinite(n) || n <= 0) return 0
  return n > 1e11 ? Math.floor(n) : Math.floor(n * 1000)
}

/**
 * Reads users.json.
 * @returns the usable users; each unusable entry is a warning naming `users.json[i]`.
 */
export function parseUsers(json: unknown, report: ImportReport, file = 'users.json'): SlackUser[] {
  return entriesWithId(json, file, 'user', report).map(({ raw }) => {
    const profile = isObj(raw.profile) ? raw.profile : {}
    return {
      id: raw.id,
      name: str(raw.name) || raw.id,
      realName: str(raw.real_name) || str(profile.real_name),
      firstName: str(profile.first_name),
      lastName: str(profile.last_name),
      displayName: str(profile.display_name),
      title: str(profile.title),
      email: str(profile.email).trim().toLowerCase(),
      deleted: raw.deleted === true,
      isBot: raw.is_bot === true || raw.id === 'USLACKBOT',
      botId: str(profile.bot_id),
      updated: epochMs(raw.updated),
      tz: str(raw.tz),
    }
  })
}

/**
 * Reads one of the channel index files.
 * @returns the usable channels; entries without an id are skipped with a warning naming the file and position.
 */
export function parseChannels(json: unknown, kind: SlackChannelKind, file: string, report: ImportReport): SlackChannel[] {
  const out: SlackChannel[] = []
  for (const { raw, i } of entriesWithId(json, file, 'channel', report)) {
    const name = str(raw.name)
    if (kind !== 'dm' && name === '') {
      report.skip('channel without a name', `${file}[${i}] (${raw.id})`)
      continue
    }
    const members = Array.isArray(raw.members) ? raw.members.filter((m): m is string => typeof m === 'string') : []
    if (Array.isArray(raw.members) && members.length !== raw.members.length) report.warn(`${file}[${i}] (${raw.id}): members that are not user ids were ignored`)
    const created = epochMs(raw.created)
    out.push({
      id: raw.id,
      kind,
      folder: kind === 'dm' ? raw.id : name,
      name: name || raw.id,
      // Exports carry `created: 1` for some DMs and dates before Slack existed: treat as unknown.
      created: created >= Date.UTC(2013, 0, 1) ? created : 0,
      creator: str(raw.creator),
      archived: raw.is_archived === true,
      members,
      topic: isObj(raw.topic) ? str(raw.topic.value) : '',
      purpose: isObj(raw.purpose) ? str(raw.purpose.value) : '',
      updated: epochMs(raw.updated),
      pins: Array.isArray(raw.pins) ? raw.pins.map((p) => (isObj(p) ? str(p.id) || str(p.ts) : '')).filter(Boolean) : [],
    })
  }
  return out
}
