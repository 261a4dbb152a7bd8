/**
 * A seeded Slack export of any size, for the import bench and the resume test: users, public
 * channels, and day files of messages with thread replies, reactions, mentions and mrkdwn.
 * Day files are generated only when the zip writer reaches them, so a million messages never sit
 * in memory at once.
 */
import fs from 'node:fs'
import { Readable } from 'node:stream'
import yazl from 'yazl'
import { intBetween, pick, seeded, sentence, type Rng } from './rng.ts'

export interface ExportShape {
  users: number
  channels: number
  messages: number
  seed?: number
  /** Share of messages that are thread replies (default 0.18). */
  replyShare?: number
}

export interface GeneratedExport {
  messages: number
  replies: number
  reactions: number
  bytes: number
}

const PER_DAY = 200
const DAY_S = 86_400

/** Writes the export to `file`. */
export async function generateSlackExport(file: string, shape: ExportShape): Promise<GeneratedExport> {
  const rng = seeded(shape.seed ?? 7)
  const replyShare = shape.replyShare ?? 0.18
  const userIds = Array.from({ length: shape.users }, (_, i) => `U${String(i + 1).padStart(6, '0')}`)
  const users = userIds.map((id, i) => ({ id, name: `user${i + 1}`, real_name: `User ${i + 1}`, profile: { email: `user${i + 1}@bench.example`, display_name: `u${i + 1}` } }))
  const channels = Array.from({ length: shape.channels }, (_, i) => ({
    id: `C${String(i + 1).padStart(6, '0')}`, name: `channel-${i + 1}`, created: 1600000000, creator: userIds[i % userIds.length],
    members: Array.from(new Set(Array.from({ length: intBetween(rng, 10, 60) }, () => pick(rng, userIds)))), topic: { value: '' }, purpose: { value: `channel ${i + 1}` },
  }))
  const zip = new yazl.ZipFile()
  zip.addBuffer(Buffer.from(JSON.stringify(users)), 'users.json')
  zip.addBuffer(Buffer.from(JSON.stringify(channels)), 'channels.json')
  const totals: GeneratedExport = { messages: 0, replies: 0, reactions: 0, bytes: 0 }
  const perChannel = Math.floor(shape.messages / shape.channels)
  channels.forEach((channel, ci) => {
    const count = perChannel + (ci < shape.messages - perChannel * shape.channels ? 1 : 0)
    const state = { clock: 1600000000 + ci * 7, roots: [] as string[] }
    for (let day = 0; day * PER_DAY < count; day += 1) {
      const n = Math.min(PER_DAY, count - day * PER_DAY)
      const date = new Date((1600000000 + day * DAY_S) * 1000).toISOString().slice(0, 10)
      // Generated when yazl reads this entry: entries are read in the order they were added.
      const lazy = Readable.from((function* () {
        const messages = dayMessages(rng, n, state, channel.members, replyShare, totals)
        const data = Buffer.from(JSON.stringify(messages))
        totals.bytes += data.length
        yield data
      })())
      zip.addReadStream(lazy, `${channel.name}/${date}-${String(day).padStart(5, '0')}.json`)
    }
  })
  zip.end()
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(file)).once('close', () => resolve()).once('error', reject)
  })
  return totals
}

function dayMessages(rng: Rng, n: number, state: { clock: number; roots: string[] }, members: string[], replyShare: number, totals: GeneratedExport): unknown[] {
  const out: unknown[] = []
  for (let i = 0; i < n; i += 1) {
    state.clock += intBetween(rng, 1, 40)
    const ts = `${state.clock}.${String(intBetween(rng, 0, 999_999)).padStart(6, '0')}`
    const user = pick(rng, members)
    let text = sentence(rng, 3, 20)
    if (rng() < 0.1) text = `<@${pick(rng, members)}> ${text}`
    if (rng() < 0.1) text = `*${text.split(' ')[0]}* ${text} &amp; more`
    const message: Record<string, unknown> = { type: 'message', user, text, ts, client_msg_id: `${ts}-${user}` }
    if (state.roots.length > 0 && rng() < replyShare) {
      message.thread_ts = pick(rng, state.roots)
      message.parent_user_id = user
      totals.replies += 1
    } else {
      state.roots.push(ts)
      if (state.roots.length > 50) state.roots.shift()
    }
    if (rng() < 0.15) {
      const reactions = Array.from({ length: intBetween(rng, 1, 3) }, (_, k) => {
        const users = Array.from(new Set(Array.from({ length: intBetween(rng, 1, 4) }, () => pick(rng, members))))
        totals.reactions += users.length
        return { name: ['+1', 'tada', 'eyes'][k]!, users, count: users.length }
      })
      message.reactions = reactions
    }
    out.push(message)
    totals.messages += 1
  }
  return out
}
