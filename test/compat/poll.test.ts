/**
 * /poll end to end (Matterpoll's behaviour on Bridgehead's interactive messages): users vote with
 * the post's buttons, the poll post is updated for everyone over the WebSocket, and only its
 * creator or a system admin can end it.
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import type { Post } from '@mattermost/types/posts'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { getAdmin, makeChannelWith, makeTeamWithMembers, uniqueName, type TeamWorld, type UserSession } from '../helpers/factories.ts'
import { connectWs, type WsEvent, type WsSession } from '../helpers/ws-client.ts'

const postOf = (event: WsEvent): Post => JSON.parse(event.data.post as string) as Post
const attachmentOf = (post: Post): Record<string, any> => (post.props as Record<string, any>).attachments[0] as Record<string, any>
const buttonNames = (post: Post): string[] => ((attachmentOf(post).actions ?? []) as { name: string }[]).map((a) => a.name)

forEachBackend((backend) => {
  const sockets: WsSession[] = []
  after(() => sockets.forEach((s) => s.close()))
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession
  let carol: UserSession
  let channel: Channel
  let aliceWs: WsSession
  let observerWs: WsSession

  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 3)
    ;[alice, bob, carol] = world.members as [UserSession, UserSession, UserSession]
    channel = await makeChannelWith(world, [alice, bob, carol])
    aliceWs = await connectWs(ctx.server.url, alice.token)
    observerWs = await connectWs(ctx.server.url, world.owner.token)
    sockets.push(aliceWs, observerWs)
  })

  const run = (who: UserSession, text: string) =>
    who.client.executeCommand(`/poll ${text}`, { channel_id: channel.id, team_id: world.team.id, root_id: '' } as never)

  /** Runs `/poll "<question>" …` as `who`, returns the poll post as the channel received it. */
  async function makePoll(who: UserSession, options: string, question = `Lunch ${uniqueName('q')}?`): Promise<Post> {
    await run(who, `"${question}" ${options}`)
    return postOf(await observerWs.waitFor('posted', (e) => postOf(e).user_id === who.user.id && attachmentOf(postOf(e))?.title === question))
  }

  /** Clicks a button of the poll as `who` and waits until the channel sees the post edited by it. */
  async function click(who: UserSession, post: Post, actionId: string): Promise<void> {
    const before = observerWs.received('post_edited', (e) => postOf(e).id === post.id).length
    await who.client.doPostAction(post.id, actionId)
    await observerWs.waitFor('post_edited', (e) => postOf(e).id === post.id && observerWs.received('post_edited', (x) => postOf(x).id === post.id).length > before)
  }

  const latest = (post: Post) => alice.client.getPost(post.id)

  it('posts the question with a button per option, reset and end', async () => {
    const post = await makePoll(alice, '"Pizza" "Sushi" "Salad"')
    expect(post.channel_id).to.equal(channel.id)
    expect(buttonNames(post)).to.deep.equal(['Pizza', 'Sushi', 'Salad', 'Reset Your Vote', 'End Poll'])
    expect(attachmentOf(post).text).to.contain('**Total votes**: 0')
  })

  it('makes a Yes / No poll of a question alone', async () => {
    const post = await makePoll(alice, '')
    expect(buttonNames(post)).to.deep.equal(['Yes', 'No', 'Reset Your Vote', 'End Poll'])
  })

  it('answers an unknown setting with an ephemeral message and posts nothing', async () => {
    const response = await run(alice, '"Q" "A" "B" --shout')
    expect(response.text).to.equal('Unrecognized poll setting: shout')
  })

  it('counts the votes of several users; with --progress every member sees the counts live', async () => {
    const post = await makePoll(alice, '"Pizza" "Sushi" --progress')
    await click(alice, post, 'vote0')
    await click(bob, post, 'vote0')
    await click(carol, post, 'vote1')
    const edited = observerWs.received('post_edited', (e) => postOf(e).id === post.id).map(postOf)
    expect(buttonNames(edited[edited.length - 1]!)).to.deep.equal(['Pizza (2)', 'Sushi (1)', 'Reset Your Vote', 'End Poll'])
    expect(attachmentOf(await latest(post)).text).to.contain('**Total votes**: 3')
  })

  it('confirms a vote to the voter only, as an ephemeral message', async () => {
    const post = await makePoll(alice, '"Pizza" "Sushi"')
    const counted = (e: WsEvent) => postOf(e).message === 'Your vote has been counted.' && postOf(e).channel_id === channel.id
    const earlier = aliceWs.received('ephemeral_message', counted).length
    await click(alice, post, 'vote1')
    const event = await aliceWs.waitFor('ephemeral_message', (e) => counted(e) && aliceWs.received('ephemeral_message', counted).length > earlier)
    expect(event.broadcast.user_id).to.equal(alice.user.id)
    expect(observerWs.received('ephemeral_message')).to.have.length(0)
  })

  it('moves a vote when the voter chooses another option', async () => {
    const post = await makePoll(alice, '"Pizza" "Sushi" --progress')
    await click(bob, post, 'vote0')
    await click(bob, post, 'vote1')
    expect(buttonNames(await latest(post)).slice(0, 2)).to.deep.equal(['Pizza (0)', 'Sushi (1)'])
  })

  it('with --multi keeps several options of one voter', async () => {
    const post = await makePoll(alice, '"Pizza" "Sushi" "Salad" --multi --progress')
    await click(bob, post, 'vote0')
    await click(bob, post, 'vote2')
    const stored = await latest(post)
    expect(buttonNames(stored).slice(0, 3)).to.deep.equal(['Pizza (1)', 'Sushi (0)', 'Salad (1)'])
    expect(attachmentOf(stored).text).to.contain('**Total votes**: 2 (1 voter)')
  })

  it('does not let anyone but the creator end the poll', async () => {
    const post = await makePoll(alice, '"Pizza" "Sushi"')
    const bobWs = await connectWs(ctx.server.url, bob.token)
    sockets.push(bobWs)
    await bob.client.doPostAction(post.id, 'endPoll')
    await bobWs.waitFor('ephemeral_message', (e) => postOf(e).message === 'Only the creator of a poll and System Admins are allowed to end it.')
    const stored = await latest(post)
    expect(buttonNames(stored)).to.include('End Poll')
  })

  it('ends by its creator: the results name the voters and the buttons are gone', async () => {
    const post = await makePoll(alice, '"Pizza" "Sushi"')
    await click(bob, post, 'vote0')
    await click(carol, post, 'vote0')
    await click(alice, post, 'endPoll')
    const stored = await latest(post)
    expect(attachmentOf(stored).actions).to.equal(undefined)
    expect(attachmentOf(stored).text).to.equal('This poll has ended. The results are:')
    expect(attachmentOf(stored).fields).to.deep.equal([
      { short: true, title: 'Pizza (2 votes)', value: `@${bob.user.username} and @${carol.user.username}` },
      { short: true, title: 'Sushi (0 votes)', value: '' },
    ])
  })

  it('with --anonymous shows the counts but never who voted', async () => {
    const post = await makePoll(alice, '"Pizza" "Sushi" --anonymous')
    await click(bob, post, 'vote1')
    await click(alice, post, 'endPoll')
    expect(attachmentOf(await latest(post)).fields).to.deep.equal([
      { short: true, title: 'Pizza (0 votes)', value: '' },
      { short: true, title: 'Sushi (1 vote)', value: '' },
    ])
  })

  it('can be ended by a system admin', async () => {
    const admin = await getAdmin(ctx.server)
    const post = await makePoll(alice, '"Pizza" "Sushi"')
    await admin.client.doPostAction(post.id, 'endPoll')
    expect(attachmentOf(await latest(post)).actions).to.equal(undefined)
  })
})
