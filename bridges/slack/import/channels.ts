/**
 * Slack conversations → local channels (§4.2): public `O`, private `P`, group DMs `G` (`P` beyond
 * eight members), DMs `D`; archived state, topic → header, purpose, creator and members.
 */
import type { Database } from '../../../core/db/index.ts'
import { idFromKey } from '../../../core/ids.ts'
import { directChannelName, groupChannelName } from '../../../core/channels/rules.ts'
import { decodeEntities } from '../format.ts'
import type { SlackChannel } from './export-index.ts'
import type { ImportReport } from './report.ts'
import type { UserDirectory } from './users.ts'
import { insertChannels, insertMembers, type ChannelRow } from './writer.ts'

export interface ImportedChannel {
  slack: SlackChannel
  id: string
  name: string
  memberIds: string[]
}

const MAX_GROUP_MEMBERS = 8

/** A channel name core accepts: `[a-z0-9_-]`, 2–64; a name with nothing usable becomes `slack-<id>`. */
export function slugChannelName(name: string, slackId: string): string {
  const slug = name.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60)
  return slug.length >= 2 ? slug : `slack-${slackId.toLowerCase()}`
}

/** Creates (or finds again) every conversation and its memberships. */
export async function loadChannels(db: Database, teamId: string, channels: SlackChannel[], users: UserDirectory, report: ImportReport, now: number): Promise<ImportedChannel[]> {
  const out: ImportedChannel[] = []
  const rows: ChannelRow[] = []
  const taken = new Map<string, string>()
  for (const r of (await db.pool.query<{ id: string; name: string }>("SELECT id, name FROM channels WHERE team_id = $1 OR team_id = ''", [teamId])).rows) taken.set(r.name, r.id)
  for (const c of channels) {
    const memberIds = [...new Set(c.members.map((m) => users.byId.get(m)).filter((id): id is string => Boolean(id)))]
    const unknown = c.members.filter((m) => !users.byId.has(m))
    if (unknown.length) report.warn(`${c.kind === 'dm' ? 'dms.json' : c.kind === 'mpim' ? 'mpims.json' : c.kind === 'private' ? 'groups.json' : 'channels.json'}: ${c.id} lists unknown members ${unknown.join(', ')}`)
    let type: ChannelRow['type'] = c.kind === 'public' ? 'O' : c.kind === 'private' ? 'P' : c.kind === 'dm' ? 'D' : memberIds.length > MAX_GROUP_MEMBERS ? 'P' : 'G'
    let name: string
    let id = idFromKey(`slack:${teamId}:channel:${c.id}`)
    if (type === 'D') {
      if (memberIds.length === 0 || (memberIds.length === 1 && new Set(c.members).size > 1)) {
        report.skip('DM without two known members', c.id)
        continue
      }
      name = directChannelName(memberIds[0]!, memberIds[1] ?? memberIds[0]!)
      // The same two people may already talk here: their DM is one channel, imported into.
      id = taken.get(name) ?? id
    } else if (type === 'G') {
      if (memberIds.length < 3) type = memberIds.length === 2 ? 'D' : 'P'
      name = type === 'D' ? directChannelName(memberIds[0]!, memberIds[1]!) : type === 'G' ? groupChannelName(memberIds) : slugChannelName(c.name, c.id)
      if (type !== 'P') id = taken.get(name) ?? id
    } else {
      name = slugChannelName(c.name, c.id)
    }
    if (type === 'O' || type === 'P') {
      const base = name
      for (let n = 2; taken.has(name) && taken.get(name) !== id; n += 1) name = `${base}-${n}`
    }
    taken.set(name, id)
    const display = type === 'D' ? '' : type === 'G' ? memberIds.map((m) => users.usernames.get(m) ?? m).join(', ') : c.name
    rows.push({
      id, createAt: c.created || now, deleteAt: c.archived ? c.updated || now : 0, teamId: type === 'D' || type === 'G' ? '' : teamId, type, name,
      displayName: display.slice(0, 64), header: decodeEntities(c.topic).slice(0, 1024), purpose: decodeEntities(c.purpose).slice(0, 250),
      creatorId: users.byId.get(c.creator) ?? '',
    })
    out.push({ slack: c, id, name, memberIds })
  }
  report.count('channels', await insertChannels(db, rows))
  for (const c of out) await insertMembers(db, c.id, c.memberIds, now)
  return out
}
