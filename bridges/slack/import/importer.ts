/**
 * The Slack import pipeline (§4.4): read the index files, create users and channels, then per
 * channel stream its day files in order and write posts in batched transactions, and finally
 * recompute each channel's derived state. Every row has an id derived from Slack identity, so a
 * rerun (or the run after a crash) adds only what is missing and ends in the same state.
 */
import { createHash } from 'node:crypto'
import type { ImportContext, ImportProgress, ImportRequest } from '../../bridge.ts'
import { openExport, type ExportArchive, type ExportEntry } from './zip.ts'
import { ImportFileError } from './errors.ts'
import { parseChannels, parseUsers, type SlackChannel, type SlackChannelKind } from './export-index.ts'
import { ImportReport } from './report.ts'
import { isObj, type Obj } from './json-shape.ts'
import { loadUsers, type UserDirectory } from './users.ts'
import { loadChannels, type ImportedChannel } from './channels.ts'
import { compareTs, convertMessage, parseTs, postIdFor, type ChannelContext } from './messages.ts'
import { attachFiles, type FileSource } from './files.ts'
import { checkpointDigest, existingIds, finishChannel, writeBatch, type FileRow, type PostRow, type ReactionRow } from './writer.ts'

type ImportDeps = ImportContext

export interface ImportOptions extends ImportRequest {
  /** Posts per transaction (default 5,000). */
  batchSize?: number
}

const CHANNEL_CONCURRENCY = 3
const DAY_FILE = /^([^/]+)\/([^/]+)\.json$/
const INDEX_FILES: [string, SlackChannelKind][] = [['channels.json', 'public'], ['groups.json', 'private'], ['mpims.json', 'mpim'], ['dms.json', 'dm']]

/**
 * Imports a Slack export into the named team.
 * @throws ImportFileError when the archive cannot be read or lacks users.json or channels.json;
 *   anything else that is wrong in the export is reported and skipped.
 */
export async function importSlackExport(deps: ImportDeps, options: ImportOptions): Promise<ImportReport> {
  const report = new ImportReport(options.team)
  const archive = await openExport(options.file)
  try {
    await run(deps, options, archive, report)
  } finally {
    archive.close()
  }
  return report
}

async function run(deps: ImportDeps, options: ImportOptions, archive: ExportArchive, report: ImportReport): Promise<void> {
  const { db } = deps
  const byName = new Map(archive.entries.map((e) => [e.name, e]))
  for (const required of ['users.json', 'channels.json']) {
    if (!byName.has(required)) throw new ImportFileError(required, 'missing from the export: is this a Slack workspace export?')
  }
  const users = parseUsers(await archive.readJson(byName.get('users.json')!), report)
  const channels: SlackChannel[] = []
  for (const [file, kind] of INDEX_FILES) {
    const entry = byName.get(file)
    if (!entry) continue
    try {
      channels.push(...parseChannels(await archive.readJson(entry), kind, file, report))
    } catch (err) {
      // Without channels.json there is nothing to import into; the other index files are optional.
      if (file === 'channels.json' || !(err instanceof ImportFileError)) throw err
      report.skip('unreadable index file', err.message)
    }
  }
  const now = Date.now()
  const teamId = await deps.ensureTeam(options.team, options.adminId)
  const directory = await loadUsers({ db, teamId, adminId: options.adminId, users, report, now })
  const imported = await loadChannels(db, teamId, channels, directory, report, now)

  const folders = groupDayFiles(archive.entries, report)
  const uploads = new Map<string, ExportEntry>()
  for (const e of archive.entries) {
    const m = /^__uploads\/([^/]+)\/[^/]+$/.exec(e.name)
    if (m) uploads.set(m[1]!, e)
  }
  const byFolder = new Map(imported.map((c) => [c.slack.folder, c]))
  for (const folder of folders.keys()) {
    if (!byFolder.has(folder)) {
      const reason = folder.startsWith('FC:') ? 'file conversation folder (not imported)' : 'folder of an unknown channel'
      report.skip(reason, `${folder}/ (${folders.get(folder)!.length} day files)`)
    }
  }
  const channelNames = new Map(imported.map((c) => [c.slack.id, c.name]))
  const names = {
    user: (slackId: string) => {
      const id = directory.byId.get(slackId)
      return id ? directory.usernames.get(id) : undefined
    },
    channel: (slackId: string) => channelNames.get(slackId),
  }
  const files: FileSource = {
    storage: deps.storage, archive, uploads, token: options.token, fetch: deps.fetch ?? fetch, report, signal: options.signal,
    known: (ids) => existingIds(db, 'file_infos', ids),
  }
  const todo = imported.filter((c) => folders.has(c.slack.folder))
  const progress: ImportProgress = {
    messages: 0, bytesDone: 0,
    bytesTotal: todo.reduce((sum, c) => sum + folders.get(c.slack.folder)!.reduce((s, e) => s + e.size, 0), 0),
  }
  // Channels are independent: on a server, a few at once keep both the database and this process
  // busy (one prepares rows while another's batch is written). The embedded database has one connection.
  const queue = [...imported]
  let failed = false
  const workers = Array.from({ length: db.kind === 'postgres' ? CHANNEL_CONCURRENCY : 1 }, async () => {
    for (let channel = queue.shift(); channel && !failed; channel = queue.shift()) {
      options.signal?.throwIfAborted()
      const entries = folders.get(channel.slack.folder) ?? []
      await importChannel({ deps, options, archive, report, teamId, channel, entries, directory, names, files, progress }).catch((err: unknown) => {
        failed = true
        throw err
      })
    }
  })
  // Every worker settles before the archive closes; the first failure is the one reported.
  const outcomes = await Promise.allSettled(workers)
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
  if (failure) throw failure.reason
}

/** Day files by folder, in file-name (date) order; `__uploads/` and index files are not day files. */
function groupDayFiles(entries: ExportEntry[], report: ImportReport): Map<string, ExportEntry[]> {
  const folders = new Map<string, ExportEntry[]>()
  for (const e of entries) {
    if (e.name.startsWith('__uploads/')) continue
    const m = DAY_FILE.exec(e.name)
    if (!m) {
      if (e.name.includes('/') || !e.name.endsWith('.json')) report.skip('unrecognised entry', e.name)
      continue
    }
    const list = folders.get(m[1]!) ?? []
    list.push(e)
    folders.set(m[1]!, list)
  }
  for (const list of folders.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return folders
}

interface ChannelRun {
  deps: ImportDeps
  options: ImportOptions
  archive: ExportArchive
  report: ImportReport
  teamId: string
  channel: ImportedChannel
  entries: ExportEntry[]
  directory: UserDirectory
  names: ChannelContext['names']
  files: FileSource
  progress: ImportProgress
}


/** The digest a channel's checkpoint keeps: its day files as the archive lists them (name, CRC, size). */
function channelDigest(entries: ExportEntry[]): string {
  const hash = createHash('sha256').update(`slack-import v1\n`)
  for (const e of entries) hash.update(`${e.name}:${e.crc32}:${e.size}\n`)
  return hash.digest('hex')
}

async function importChannel(run: ChannelRun): Promise<void> {
  const { deps, options, report, teamId, channel, directory } = run
  const checkpoint = { source: `slack:${teamId}`, unit: channel.slack.id, digest: channelDigest(run.entries) }
  if ((await checkpointDigest(deps.db, checkpoint.source, checkpoint.unit)) === checkpoint.digest) {
    report.count('channels unchanged since the last import')
    run.progress.bytesDone += run.entries.reduce((s, e) => s + e.size, 0)
    options.onProgress?.({ ...run.progress })
    return
  }
  const batchSize = options.batchSize ?? 5000
  const used = new Set<number>()
  const seen = new Set<string>()
  // Thread roots the replies name, with the author Slack gives for the root (for a placeholder).
  const roots = new Map<string, string>()
  let archivedAt = 0
  let posts: PostRow[] = []
  let reactions: ReactionRow[] = []
  let fileRows: FileRow[] = []
  let imported = 0
  const ctx: ChannelContext = {
    teamId, channelId: channel.id, slackChannelId: channel.slack.id, names: run.names, report,
    user: (id) => directory.byId.get(id),
    bot: (id) => directory.byBot.get(id),
    pinned: new Set(channel.slack.pins),
    claimTime(ms) {
      let t = ms
      while (used.has(t)) t += 1
      used.add(t)
      return t
    },
  }
  const flush = async () => {
    const written = await writeBatch(deps.db, posts, reactions, fileRows)
    imported += written.posts
    report.count('posts', written.posts)
    report.count('reactions', written.reactions)
    if (written.posts < posts.length) report.count('posts already imported', posts.length - written.posts)
    run.progress.messages += posts.length
    options.onProgress?.({ ...run.progress })
    posts = []
    reactions = []
    fileRows = []
  }

  for (const entry of run.entries) {
    options.signal?.throwIfAborted()
    let day: unknown
    try {
      day = await run.archive.readJson(entry)
    } catch (err) {
      if (!(err instanceof ImportFileError)) throw err
      report.skip('malformed day file', err.message)
      run.progress.bytesDone += entry.size
      continue
    }
    run.progress.bytesDone += entry.size
    if (!Array.isArray(day)) {
      report.skip('malformed day file', `${entry.name}: expected an array of messages`)
      continue
    }
    const ordered = day
      .map((raw, index) => ({ raw, index, ts: isObj(raw) ? parseTs(raw.ts) : null }))
      .sort((a, b) => (a.ts && b.ts ? compareTs(a.ts, b.ts) : a.ts ? -1 : b.ts ? 1 : a.index - b.index))
    await directory.ensure(unknownAuthors(ordered.map((o) => o.raw), directory))
    for (const { raw, index } of ordered) {
      const converted = convertMessage(raw, `${entry.name}[${index}]`, ctx)
      if (!converted) continue
      seen.add(converted.ts)
      if (converted.threadTs && !roots.has(converted.threadTs)) roots.set(converted.threadTs, isObj(raw) && typeof raw.parent_user_id === 'string' ? raw.parent_user_id : '')
      if (isObj(raw) && (raw.subtype === 'channel_archive' || raw.subtype === 'group_archive')) archivedAt = Math.max(archivedAt, converted.posts[0]!.createAt)
      if (converted.files.length) fileRows.push(...(await attachFiles(converted.posts[0]!, converted.files, teamId, run.files)))
      posts.push(...converted.posts)
      reactions.push(...converted.reactions)
      if (posts.length >= batchSize) await flush()
    }
  }
  // Replies whose root is not in the export keep a placeholder root, so the thread survives.
  for (const [ts, parentUser] of roots) {
    if (seen.has(ts)) continue
    const parsed = parseTs(ts)!
    const userId = directory.byId.get(parentUser) ?? options.adminId
    posts.push({
      id: postIdFor(teamId, channel.slack.id, ts), createAt: ctx.claimTime(parsed.ms), editAt: 0, isPinned: false, userId, channelId: channel.id, rootId: '',
      message: '(message not available in export)', type: '', props: { from_slack: true, slack_ts: ts, slack_channel: channel.slack.id, slack_placeholder: true },
      hashtags: '', fileIds: [], hasReactions: false,
    })
    report.count('placeholder roots')
  }
  await flush()
  await finishChannel(deps.db, { channelId: channel.id, teamId, memberIds: channel.memberIds, archivedAt, checkpoint })
  report.perChannel[channel.name] = imported
}

/** Authors and reacting users of a day file that the directory does not know yet. */
function unknownAuthors(messages: unknown[], directory: UserDirectory): Parameters<UserDirectory['ensure']>[0] {
  const users = new Map<string, Obj | null>()
  const bots = new Map<string, Obj | null>()
  for (const m of messages) {
    if (!isObj(m)) continue
    const bot = typeof m.bot_id === 'string' ? m.bot_id : ''
    const user = typeof m.user === 'string' ? m.user : ''
    if ((m.subtype === 'bot_message' || (bot && !user)) && bot && !directory.byBot.has(bot) && !(user && directory.byId.has(user))) {
      bots.set(bot, isObj(m.bot_profile) ? m.bot_profile : null)
    } else if (user && !directory.byId.has(user)) {
      users.set(user, isObj(m.user_profile) ? m.user_profile : null)
    }
    if (Array.isArray(m.reactions)) {
      for (const r of m.reactions) {
        if (!isObj(r) || !Array.isArray(r.users)) continue
        for (const u of r.users) if (typeof u === 'string' && !directory.byId.has(u) && !users.has(u)) users.set(u, null)
      }
    }
  }
  return { users, bots }
}
