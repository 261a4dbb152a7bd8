/**
 * /standup in a running server, on the real clock with schedules a few seconds ahead: settings and
 * status, the questions DMed at the tick to members only, replies collected, the summary at the
 * deadline, skipping, and a standup that spans a server restart.
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import type { Post } from '@mattermost/types/posts'
import type { Bot } from '@mattermost/types/bots'
import { forEachBackend, useServerStorage, useTestServer } from '../../helpers/server.ts'
import { getAdmin, login, makeChannelWith, makeClient, makeTeam, makeTeamWithMembers, uniqueName, type Client, type TeamWorld, type UserSession } from '../../helpers/factories.ts'
import { eventually } from '../../helpers/eventually.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))


/** A cron (6 fields, UTC) that fires once, on the first whole second at least `ms` from now. */
function tickIn(ms: number): { cron: string; at: number } {
  const at = Math.ceil((Date.now() + ms) / 1000) * 1000
  const d = new Date(at)
  return { cron: `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`, at }
}

async function run(who: UserSession, world: TeamWorld, channel: Channel, command: string): Promise<string> {
  const res = (await who.client.executeCommand(command, { channel_id: channel.id, team_id: world.team.id })) as { text?: string }
  return res.text ?? ''
}

/** Posts of a channel, oldest first. */
async function postsIn(client: Client, channelId: string): Promise<Post[]> {
  const list = await client.getPosts(channelId, 0, 200)
  return list.order.map((id) => list.posts[id]!).sort((a, b) => a.create_at - b.create_at)
}

type Someone = Pick<UserSession, 'client' | 'user'>

/** The DM channel between `who` and the standup bot. */
async function dmWithBot(who: Someone): Promise<Channel> {
  const bot = await who.client.getUserByUsername('standup')
  return who.client.createDirectChannel([who.user.id, bot.id])
}

/** The bot's posts in `who`'s DM with it, oldest first. */
async function botDms(who: Someone): Promise<Post[]> {
  const dm = await dmWithBot(who)
  const bot = await who.client.getUserByUsername('standup')
  return (await postsIn(who.client, dm.id)).filter((p) => p.user_id === bot.id)
}

async function hasBotUser(client: Client): Promise<boolean> {
  return client.getUserByUsername('standup').then(() => true, () => false)
}

async function summaries(client: Client, channelId: string): Promise<Post[]> {
  return (await postsIn(client, channelId)).filter((p) => p.message.startsWith('#### Standup summary'))
}

forEachBackend((backend) => {
  describe('/standup', function () {
    this.timeout(90_000)
    const ctx = useTestServer(backend, { jobPollIntervalMs: 100 })
    let world: TeamWorld
    let alice: UserSession
    let bob: UserSession
    let carol: UserSession

    before(async () => {
      world = await makeTeamWithMembers(ctx.server, 3)
      ;[alice, bob, carol] = world.members as [UserSession, UserSession, UserSession]
    })

    describe('config and status', () => {
      it('creates no bot account before a standup is configured', async () => {
        expect(await hasBotUser(alice.client)).to.equal(false)
      })

      it('saves questions, a simple schedule in a time zone and a deadline, and shows them with the next run', async () => {
        const channel = await makeChannelWith(world, [alice])
        expect(await run(alice, world, channel, '/standup config questions "What did you do?" "What will you do?" "Blockers?"')).to.include('Standup settings saved')
        await run(alice, world, channel, '/standup config schedule weekdays 09:30 Europe/Berlin')
        await run(alice, world, channel, '/standup config deadline 90')
        const status = await run(alice, world, channel, '/standup status')
        expect(status).to.include(`Standup in ~${channel.name}: on`)
        expect(status).to.include('1. What did you do?').and.include('2. What will you do?').and.include('3. Blockers?')
        expect(status).to.include('Schedule: `30 9 * * 1-5` (Europe/Berlin)')
        expect(status).to.include('Summary: 1 h 30 min after the start')
        expect(status).to.match(/Next run: (Mon|Tue|Wed|Thu|Fri),? .*09:30 \(Europe\/Berlin\)/)
      })

      it('accepts a quoted cron expression followed by a time zone', async () => {
        const channel = await makeChannelWith(world, [alice])
        await run(alice, world, channel, '/standup config schedule "15 10 * * 1,3" America/New_York')
        expect(await run(alice, world, channel, '/standup status')).to.include('Schedule: `15 10 * * 1,3` (America/New_York)')
      })

      it('refuses an unusable cron expression or time zone and keeps the standup off', async () => {
        const channel = await makeChannelWith(world, [alice])
        expect(await run(alice, world, channel, '/standup config schedule "99 * * * *"')).to.include('Invalid cron expression')
        expect(await run(alice, world, channel, '/standup config timezone Mars/Olympus')).to.include('IANA time zone')
        expect(await run(alice, world, channel, '/standup status')).to.include('No standup is set up')
      })

      it('/standup off stops the schedule and status says off', async () => {
        const channel = await makeChannelWith(world, [alice])
        await run(alice, world, channel, '/standup config schedule daily 08:00')
        expect(await run(alice, world, channel, '/standup off')).to.include('is off')
        const status = await run(alice, world, channel, '/standup status')
        expect(status).to.include(': off**').and.include('Next run: none')
      })

      it('refuses non-members of the channel', async () => {
        const channel = await makeChannelWith(world, [alice])
        // bob is in the team but not in the channel: the server refuses him before /standup runs.
        await bob.client.executeCommand('/standup status', { channel_id: channel.id, team_id: world.team.id }).then(
          () => expect.fail('a non-member ran /standup'),
          (err: { status_code?: number }) => expect(err.status_code).to.equal(403),
        )
      })

      it('offers its sub-commands in autocomplete', async () => {
        const channel = await makeChannelWith(world, [alice])
        const suggestions = await alice.client.getCommandAutocompleteSuggestionsList('/standup ', world.team.id, { channel_id: channel.id })
        expect(suggestions.map((s) => s.Suggestion)).to.have.members(['config', 'status', 'skip', 'off', 'help'])
        const config = await alice.client.getCommandAutocompleteSuggestionsList('/standup config ', world.team.id, { channel_id: channel.id })
        expect(config.map((s) => s.Suggestion)).to.have.members(['questions', 'schedule', 'timezone', 'deadline'])
      })
    })

    describe('a scheduled run', () => {
      let channel: Channel
      let dave: UserSession
      let tickAt: number
      let helperBotId: string

      before(async () => {
        dave = (await makeTeamWithMembers(ctx.server, 0)).owner
        await world.owner.client.addToTeam(world.team.id, dave.user.id)
        channel = await makeChannelWith(world, [alice, bob, carol, dave])
        // A bot and a deactivated member are in the channel too; neither is asked.
        const admin = await getAdmin(ctx.server)
        const bot = await admin.client.createBot({ username: uniqueName('bot'), display_name: 'Helper' } as Bot)
        helperBotId = bot.user_id
        await world.owner.client.addToTeam(world.team.id, bot.user_id)
        await world.owner.client.addToChannel(bot.user_id, channel.id)
        await admin.client.updateUserActive(dave.user.id, false)
        await run(alice, world, channel, '/standup config questions "Done?" "Next?"')
        await run(alice, world, channel, '/standup config deadline 6s')
        // Time for the commands below before the tick, also on a loaded machine (mocha runs two files at once).
        const tick = tickIn(4000)
        tickAt = tick.at
        await run(alice, world, channel, `/standup config schedule "${tick.cron}" UTC`)
        // carol is excused today before the run: she is listed as skipped, not asked.
        expect(await run(alice, world, channel, '/standup skip @' + carol.user.username)).to.include('excused')
        await eventually('the bot', async () => ((await hasBotUser(alice.client)) ? true : undefined))
        // Each person sees the bot once it shares a channel with them, their DM (until then the user API answers 403).
        for (const who of [alice, bob, world.owner]) {
          await eventually(`the DM to ${who.user.username}`, async () => ((await hasBotUser(who.client)) && (await botDms(who)).length > 0 ? true : undefined))
        }
      })

      it('DMs the first question, at the tick, to each active person in the channel', async () => {
        for (const who of [alice, bob, world.owner]) {
          const [first] = await botDms(who)
          expect(first!.message, who.user.username).to.include(`standup time for ~${channel.name}`).and.include('**1.** Done?')
          expect(first!.create_at).to.be.at.least(tickAt)
        }
      })

      it('does not DM bots, deactivated or excused members', async () => {
        const dmed = await ctx.server.sql<{ user_id: string }>(
          `SELECT m.user_id FROM posts p JOIN users b ON b.id = p.user_id AND b.username = 'standup'
           JOIN channel_members m ON m.channel_id = p.channel_id AND m.user_id <> b.id
           WHERE m.user_id = ANY($1::text[])`,
          [[carol.user.id, dave.user.id, helperBotId]],
        )
        expect(dmed).to.deep.equal([])
        const rows = await ctx.server.sql<{ username: string }>(
          `SELECT u.username FROM standup_participants p JOIN users u ON u.id = p.user_id JOIN standup_runs r ON r.id = p.run_id WHERE r.channel_id = $1 AND NOT p.skipped`,
          [channel.id],
        )
        expect(rows.map((r) => r.username)).to.have.members([alice.user.username, bob.user.username, world.owner.user.username])
      })

      it('asks the next question after each reply and thanks at the end', async () => {
        const dm = await dmWithBot(alice)
        await alice.client.createPost({ channel_id: dm.id, message: 'Wrote the parser' } as Post)
        expect((await botDms(alice)).at(-1)!.message).to.equal('**2.** Next?')
        await alice.client.createPost({ channel_id: dm.id, message: 'Ship it' } as Post)
        expect((await botDms(alice)).at(-1)!.message).to.include('Thanks!')
        const bobDm = await dmWithBot(bob)
        await bob.client.createPost({ channel_id: bobDm.id, message: 'Reviewed PRs' } as Post)
      })

      it('posts one summary at the deadline with the answers, who did not answer and who was skipped', async () => {
        const [summary] = await eventually('the summary', async () => {
          const found = await summaries(alice.client, channel.id)
          return found.length > 0 ? found : undefined
        })
        expect(summary!.create_at).to.be.at.least(tickAt + 6000)
        expect(summary!.message).to.include(`**@${alice.user.username}**\n- _Done?_ Wrote the parser\n- _Next?_ Ship it`)
        expect(summary!.message).to.include(`**@${bob.user.username}**\n- _Done?_ Reviewed PRs\n- _Next?_ (no answer)`)
        expect(summary!.message).to.include(`**Did not answer:** @${world.owner.user.username}`)
        expect(summary!.message).to.include(`**Skipped:** @${carol.user.username}`)
        await sleep(500)
        expect(await summaries(alice.client, channel.id)).to.have.length(1)
      })

      it('shows who answered the latest run in /standup status', async () => {
        const status = await run(alice, world, channel, '/standup status')
        expect(status).to.include(`- answered: @${alice.user.username}`)
        expect(status).to.include('summary posted')
      })
    })

    describe('/standup skip', () => {
      it('skips the next run: no DMs and no summary for that tick', async () => {
        const channel = await makeChannelWith(world, [alice])
        await run(alice, world, channel, '/standup config deadline 2s')
        const tick = tickIn(4000)
        await run(alice, world, channel, `/standup config schedule "${tick.cron}" UTC`)
        expect(await run(alice, world, channel, '/standup skip')).to.include('will be skipped')
        expect(await run(alice, world, channel, '/standup status')).to.include('(will be skipped)')
        await sleep(tick.at + 3500 - Date.now())
        expect(await summaries(alice.client, channel.id)).to.deep.equal([])
        const runs = await ctx.server.sql('SELECT id FROM standup_runs WHERE channel_id = $1', [channel.id])
        expect(runs).to.deep.equal([])
        expect(await run(alice, world, channel, '/standup status')).not.to.include('(will be skipped)')
      })

      it('skip me during a run stops the bot waiting for me: I am listed as skipped', async () => {
        const channel = await makeChannelWith(world, [alice])
        await run(alice, world, channel, '/standup config deadline 3s')
        const tick = tickIn(2000)
        await run(alice, world, channel, `/standup config schedule "${tick.cron}" UTC`)
        await sleep(tick.at + 500 - Date.now())
        expect(await run(alice, world, channel, '/standup skip me')).to.include('You are excused')
        const [summary] = await eventually('the summary', async () => {
          const found = await summaries(alice.client, channel.id)
          return found.length > 0 ? found : undefined
        })
        expect(summary!.message).to.include(`**Skipped:** @${alice.user.username}`)
        expect(summary!.message).to.include(`**Did not answer:** @${world.owner.user.username}\n`)
      })
    })

    describe('retried jobs', () => {
      it('sends each question DM and the summary once when their jobs run again for the same run', async () => {
        // Fresh people, so no other standup of theirs is open.
        const fresh = await makeTeamWithMembers(ctx.server, 1)
        const member = fresh.members[0]!
        const channel = await makeChannelWith(fresh, [member])
        await run(fresh.owner, fresh, channel, '/standup config questions "Done?"')
        await run(fresh.owner, fresh, channel, '/standup config deadline 60')
        await run(fresh.owner, fresh, channel, '/standup config schedule daily 08:00')
        // Three attempts of the same tick's start job at once (a retry racing the first, or one
        // after a crash): each sees the participants not yet asked, one DM each is written.
        const tickAt = Date.now() - 1000
        for (let i = 0; i < 3; i++) await ctx.server.jobs.enqueue({ type: 'standup.start', data: { channelId: channel.id }, runAt: tickAt })
        const [runRow] = await eventually('the run', async () => {
          const rows = await ctx.server.sql<{ id: string; asked: number }>(
            `SELECT r.id, count(p.*) FILTER (WHERE p.asked_at > 0)::int AS asked FROM standup_runs r JOIN standup_participants p ON p.run_id = r.id
             WHERE r.channel_id = $1 GROUP BY r.id`,
            [channel.id],
          )
          return rows.length > 0 && rows[0]!.asked === 2 ? rows : undefined
        })
        await sleep(1000)
        for (const who of [fresh.owner, member]) {
          expect((await botDms(who)).filter((p) => p.message.includes('standup time')), who.user.username).to.have.length(1)
        }
        // The summary job run three more times for the run, at once: one summary.
        for (let i = 0; i < 3; i++) await ctx.server.jobs.enqueue({ type: 'standup.summary', data: { runId: runRow!.id }, runAt: Date.now() })
        await eventually('the summary', async () => ((await summaries(fresh.owner.client, channel.id)).length > 0 ? true : undefined))
        await sleep(1000)
        expect(await summaries(fresh.owner.client, channel.id)).to.have.length(1)
        const [marked] = await ctx.server.sql<{ summary_post_id: string }>('SELECT summary_post_id FROM standup_runs WHERE id = $1', [runRow!.id])
        expect(marked!.summary_post_id).to.equal((await summaries(fresh.owner.client, channel.id))[0]!.id)
      })
    })

    describe('a channel archived during a run', () => {
      it('ends the run without a summary, and the deadline job succeeds instead of failing', async () => {
        const fresh = await makeTeamWithMembers(ctx.server, 1)
        const member = fresh.members[0]!
        const channel = await makeChannelWith(fresh, [member])
        await run(fresh.owner, fresh, channel, '/standup config questions "Done?"')
        await run(fresh.owner, fresh, channel, '/standup config deadline 60')
        await run(fresh.owner, fresh, channel, '/standup config schedule daily 08:00')
        await ctx.server.jobs.enqueue({ type: 'standup.start', data: { channelId: channel.id }, runAt: Date.now() - 1000 })
        const [runRow] = await eventually('the run', async () => {
          const rows = await ctx.server.sql<{ id: string }>('SELECT id FROM standup_runs WHERE channel_id = $1', [channel.id])
          return rows.length > 0 ? rows : undefined
        })
        await fresh.owner.client.deleteChannel(channel.id)
        const job = await ctx.server.jobs.enqueue({ type: 'standup.summary', data: { runId: runRow!.id }, runAt: Date.now() })
        const done = await eventually('the summary job to finish', async () => {
          const [row] = await ctx.server.sql<{ status: string; last_error: string | null }>('SELECT status, last_error FROM jobs WHERE id = $1', [job.id])
          return row && row.status !== 'pending' && row.status !== 'in_progress' ? row : undefined
        })
        expect(done).to.deep.equal({ status: 'success', last_error: null })
        const [marked] = await ctx.server.sql<{ summary_post_id: string }>('SELECT summary_post_id FROM standup_runs WHERE id = $1', [runRow!.id])
        expect(marked!.summary_post_id).to.equal('channel_archived')
        expect(await summaries(fresh.owner.client, channel.id)).to.deep.equal([])
      })
    })
  })

  describe('standup across a server restart', function () {
    this.timeout(120_000)
    const { start } = useServerStorage(backend, { jobPollIntervalMs: 100 })

    it('collects answers given after the restart and posts the summary exactly once', async () => {
      const first = await start()
      const owner = await signUp(first.url)
      const member = await signUp(first.url)
      const team = await makeTeam(owner.client)
      await owner.client.addToTeam(team.id, member.user.id)
      const world: TeamWorld = { team, owner, members: [member] }
      const channel = await makeChannelWith(world, [member])
      await run(owner, world, channel, '/standup config questions "Done?" "Next?"')
      await run(owner, world, channel, '/standup config deadline 12s')
      const tick = tickIn(2000)
      await run(owner, world, channel, `/standup config schedule "${tick.cron}" UTC`)
      await eventually('the DM to the member', async () => ((await hasBotUser(member.client)) && (await botDms(member)).length > 0 ? true : undefined))
      const dm = await dmWithBot(member)
      await member.client.createPost({ channel_id: dm.id, message: 'Before the restart' } as Post)
      await first.close()

      const second = await start()
      const again = await login(second.url, member.user.username, member.password)
      await again.client.createPost({ channel_id: dm.id, message: 'After the restart' } as Post)
      const ownerAgain = await login(second.url, owner.user.username, owner.password)
      const [summary] = await eventually('the summary', async () => {
        const found = await summaries(ownerAgain.client, channel.id)
        return found.length > 0 ? found : undefined
      }, 30_000)
      expect(summary!.message).to.include(`**@${member.user.username}**\n- _Done?_ Before the restart\n- _Next?_ After the restart`)
      expect(summary!.message).to.include(`**Did not answer:** @${owner.user.username}`)
      // The member was asked once, not again after the restart.
      expect((await botDms(again)).filter((p) => p.message.includes('standup time'))).to.have.length(1)
      await sleep(1000)
      expect(await summaries(ownerAgain.client, channel.id)).to.have.length(1)
    })
  })
})

/** A new account on a bare server (the first one becomes the system admin), logged in. */
async function signUp(url: string): Promise<UserSession> {
  const username = uniqueName('user')
  const password = `Pw-${uniqueName('p')}-9`
  await makeClient(url).createUser({ username, email: `${username}@example.com`, password } as never, '', '')
  return { ...(await login(url, username, password)), password }
}
