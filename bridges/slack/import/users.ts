/**
 * Slack users → local accounts (§4.2): matched by email to existing accounts, else created without
 * a usable password; bots as bot accounts owned by the importing admin; deactivated stay so.
 * Placeholders for ids the messages name but users.json does not list.
 */
import type { Database } from '../../../core/db/index.ts'
import { idFromKey } from '../../../core/ids.ts'
import type { SlackUser } from './export-index.ts'
import type { ImportReport } from './report.ts'
import { insertUsers, joinTeam, type UserRow } from './writer.ts'

export interface UserDirectory {
  /** Slack user id → local user id. */
  byId: Map<string, string>
  /** Slack bot id (`B…`) → local user id. */
  byBot: Map<string, string>
  /** Local user id → username, for `@mentions`. */
  usernames: Map<string, string>
  /**
   * Creates placeholder accounts for unknown ids a message names (from its `user_profile` when
   * given, else "Deleted user"), and synthetic bots for unknown `bot_id`s.
   */
  ensure(ids: { users: Map<string, Record<string, unknown> | null>; bots: Map<string, Record<string, unknown> | null> }): Promise<void>
}

const USERNAME_CHARS = /[^a-z0-9._-]+/g
const RESERVED = new Set(['all', 'channel', 'here', 'matterbot', 'system', 'admin', 'root'])

/** A username core accepts: lowercase, starts with a letter, `[a-z0-9._-]`, ≤ 64 (a suffix is added on a clash). */
export function slugUsername(name: string, fallback: string): string {
  let slug = name.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(USERNAME_CHARS, '-').replace(/^[^a-z]+/, '').slice(0, 58)
  if (!slug || RESERVED.has(slug)) slug = `slack-${fallback.toLowerCase()}`.replace(USERNAME_CHARS, '-')
  return slug
}

export interface LoadUsersInput {
  db: Database
  teamId: string
  adminId: string
  users: SlackUser[]
  report: ImportReport
  now: number
}

/** Creates or matches every user of users.json and joins them to the team. */
export async function loadUsers(input: LoadUsersInput): Promise<UserDirectory> {
  const { db, report, now } = input
  const byId = new Map<string, string>()
  const byBot = new Map<string, string>()
  const usernames = new Map<string, string>()
  const emails = input.users.map((u) => u.email).filter(Boolean)
  const byEmail = new Map<string, { id: string; username: string }>()
  if (emails.length) {
    const rows = await db.pool.query<{ id: string; email: string; username: string }>('SELECT id, email, username FROM users WHERE email = ANY($1::text[])', [emails])
    for (const r of rows.rows) byEmail.set(r.email, r)
  }
  const derived = input.users.map((u) => idFromKey(`slack:user:${u.id}`))
  const existing = new Map<string, string>()
  for (const r of (await db.pool.query<{ id: string; username: string }>('SELECT id, username FROM users WHERE id = ANY($1::text[])', [derived])).rows) existing.set(r.id, r.username)
  const taken = await takenUsernames(db)
  const fresh: UserRow[] = []
  input.users.forEach((u, i) => {
    // An account this import created before (a rerun) is found by its derived id, not as a match.
    const match = u.email && !existing.has(derived[i]!) ? byEmail.get(u.email) : undefined
    if (match) {
      byId.set(u.id, match.id)
      usernames.set(match.id, match.username)
      if (u.botId) byBot.set(u.botId, match.id)
      report.count('users matched by email')
      return
    }
    const id = derived[i]!
    byId.set(u.id, id)
    if (u.botId) byBot.set(u.botId, id)
    const already = existing.get(id)
    if (already) {
      usernames.set(id, already)
      return
    }
    const row = userRow(id, u, taken, now)
    if (!u.email && !u.isBot) report.warn(`users.json: ${u.id} (${u.name}) has no email; imported as an unclaimed account`)
    usernames.set(id, row.username)
    fresh.push(row)
  })
  for (let i = 0; i < fresh.length; i += 1000) report.count('users', await insertUsers(db, fresh.slice(i, i + 1000), input.adminId, now))
  await joinTeam(db, input.teamId, [...new Set(byId.values())], now)

  return {
    byId, byBot, usernames,
    async ensure(ids) {
      const rows: UserRow[] = []
      for (const [slackId, profile] of ids.users) {
        if (byId.has(slackId)) continue
        const p = profile ?? {}
        const text = (key: string) => (typeof p[key] === 'string' ? (p[key] as string) : '')
        report.warn(`unknown user id ${slackId}: created ${profile ? "from the message's user_profile" : 'a "Deleted user" placeholder'}`)
        const id = idFromKey(`slack:user:${slackId}`)
        byId.set(slackId, id)
        rows.push(userRow(id, {
          ...BLANK_USER, id: slackId, name: text('name') || text('display_name') || `deleted-user-${slackId}`,
          realName: text('real_name') || `Deleted user ${slackId}`, displayName: text('display_name'), deleted: !profile,
        }, taken, now))
      }
      for (const [botId, profile] of ids.bots) {
        if (byBot.has(botId)) continue
        const name = profile && typeof profile.name === 'string' && profile.name ? profile.name : ''
        report.warn(`unknown bot id ${botId}: created bot "${name || `Unknown bot ${botId}`}"`)
        const id = idFromKey(`slack:bot:${botId}`)
        byBot.set(botId, id)
        rows.push(userRow(id, { ...BLANK_USER, id: botId, name: name || `bot-${botId}`, realName: name || `Unknown bot ${botId}`, isBot: true, botId }, taken, now))
      }
      if (rows.length === 0) return
      // A rerun finds the placeholders it made before: keep their usernames, insert only the rest.
      const known = new Map((await db.pool.query<{ id: string; username: string }>('SELECT id, username FROM users WHERE id = ANY($1::text[])', [rows.map((r) => r.id)])).rows.map((r) => [r.id, r.username]))
      for (const r of rows) usernames.set(r.id, known.get(r.id) ?? r.username)
      report.count('placeholder users', await insertUsers(db, rows.filter((r) => !known.has(r.id)), input.adminId, now))
      await joinTeam(db, input.teamId, rows.map((r) => r.id), now)
    },
  }
}

const BLANK_USER: SlackUser = {
  id: '', name: '', realName: '', firstName: '', lastName: '', displayName: '', title: '', email: '', deleted: false, isBot: false, botId: '', updated: 0, tz: '',
}

async function takenUsernames(db: Database): Promise<Set<string>> {
  // Usernames are few next to messages (tens of thousands at most); one read beats a query per clash.
  return new Set((await db.pool.query<{ username: string }>('SELECT username FROM users')).rows.map((r) => r.username))
}

function userRow(id: string, u: SlackUser, taken: Set<string>, now: number): UserRow {
  const base = u.id === 'USLACKBOT' ? 'slackbot' : slugUsername(u.name, u.id)
  let username = base
  for (let n = 2; taken.has(username); n += 1) username = `${base}-${n}`
  taken.add(username)
  const [first = '', ...rest] = u.realName.split(' ')
  return {
    id, createAt: now, deleteAt: u.deleted ? u.updated || now : 0, username,
    email: u.email || `${u.id.toLowerCase()}@slack-import.invalid`,
    nickname: u.displayName.slice(0, 64), firstName: (u.firstName || first).slice(0, 64), lastName: (u.lastName || rest.join(' ')).slice(0, 64),
    position: u.title.slice(0, 128), isBot: u.isBot,
    props: { from_slack: 'true', slack_id: u.id, slack_name: u.name, ...(u.email ? {} : { slack_unclaimed: 'true' }), ...(u.deleted && !u.updated ? { slack_delete_at_estimated: 'true' } : {}) },
    timezone: u.tz,
  }
}
