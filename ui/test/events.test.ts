import { expect } from 'chai'
import type { Channel, Post } from '../src/api/types.ts'
import { channelLabel, loadThread, unreadOf } from '../src/state/actions.ts'
import { handleServerEvent } from '../src/state/events.ts'
import { state } from '../src/state/store.ts'
import type { ServerEvent } from '../src/realtime/socket.ts'

const ME = 'me000000000000000000000000'
const BOB = 'bob00000000000000000000000'

function channel(id: string, extra: Partial<Channel> = {}): Channel {
  return { id, team_id: 't1', name: id, display_name: id, type: 'O', delete_at: 0, last_post_at: 0, total_msg_count: 5, total_msg_count_root: 5, ...extra }
}

function post(id: string, channelId: string, extra: Partial<Post> = {}): Post {
  return { id, channel_id: channelId, user_id: BOB, root_id: '', message: id, type: '', props: {}, create_at: Date.now(), update_at: Date.now(), edit_at: 0, delete_at: 0, ...extra }
}

function event(name: string, data: Record<string, unknown>, broadcast: ServerEvent['broadcast'] = {}): ServerEvent {
  return { event: name, data, broadcast, seq: 1 }
}

describe('live events in the app state', () => {
  beforeEach(() => {
    state.me = { id: ME, username: 'me', roles: 'system_user', delete_at: 0 }
    state.users = { [ME]: state.me, [BOB]: { id: BOB, username: 'bob', roles: 'system_user', delete_at: 0 } }
    state.teamId = 't1'
    state.currentChannelId = 'here'
    state.channels = { here: channel('here'), other: channel('other') }
    state.members = {
      here: { channel_id: 'here', user_id: ME, msg_count: 5, msg_count_root: 5, mention_count: 0, last_viewed_at: 0 },
      other: { channel_id: 'other', user_id: ME, msg_count: 5, msg_count_root: 5, mention_count: 0, last_viewed_at: 0 },
    }
    state.posts = {}
    state.channelPosts = { other: { order: [], hasOlder: false, loaded: true } }
    state.replies = {}
    state.typing = {}
  })

  it('makes another channel unread, and counts a mention of me', () => {
    handleServerEvent(event('posted', { post: JSON.stringify(post('p1', 'other')), mentions: JSON.stringify([ME]) }))
    expect(unreadOf('other')).to.deep.equal({ unread: true, mentions: 1 })
    expect(state.channelPosts.other!.order).to.deep.equal(['p1'])
  })

  it('keeps a channel read when the post is my own', () => {
    handleServerEvent(event('posted', { post: JSON.stringify(post('p2', 'other', { user_id: ME })) }))
    expect(unreadOf('other')).to.deep.equal({ unread: false, mentions: 0 })
  })

  it('adds a reply to its thread and to the root post reply count, not to the channel list', () => {
    state.posts.root = post('root', 'other', { reply_count: 1 })
    state.channelPosts.other!.order = ['root']
    handleServerEvent(event('posted', { post: JSON.stringify(post('r1', 'other', { root_id: 'root' })) }))
    expect(state.replies.root).to.deep.equal(['r1'])
    expect(state.posts.root!.reply_count).to.equal(2)
    expect(state.channelPosts.other!.order).to.deep.equal(['root'])
  })

  it('keeps a reply that arrived live while the thread was loading, and the root post its count', async () => {
    const root = post('root', 'other', { reply_count: 0 })
    state.posts.root = root
    // The thread's answer was taken before the reply existed, and reaches the app after it.
    let answer!: () => void
    const realFetch = globalThis.fetch
    globalThis.fetch = (() => new Promise<Response>((resolve) => {
      answer = () => resolve(new Response(JSON.stringify({ order: ['root'], posts: { root } }), { status: 200 }))
    })) as typeof fetch
    try {
      const loading = loadThread('root')
      handleServerEvent(event('posted', { post: JSON.stringify(post('r1', 'other', { root_id: 'root' })) }))
      answer()
      await loading
    } finally {
      globalThis.fetch = realFetch
    }
    expect(state.replies.root).to.deep.equal(['r1'])
    expect(state.posts.root!.reply_count).to.equal(1)
  })

  it('adds and removes a reaction on a post', () => {
    state.posts.p3 = post('p3', 'other')
    const reaction = { user_id: BOB, post_id: 'p3', emoji_name: 'tada', create_at: 1 }
    handleServerEvent(event('reaction_added', { reaction: JSON.stringify(reaction) }))
    expect(state.posts.p3!.metadata?.reactions).to.have.length(1)
    handleServerEvent(event('reaction_removed', { reaction: JSON.stringify(reaction) }))
    expect(state.posts.p3!.metadata?.reactions).to.deep.equal([])
  })

  it('takes a deleted post out of the channel', () => {
    state.posts.p4 = post('p4', 'other')
    state.channelPosts.other!.order = ['p4']
    handleServerEvent(event('post_deleted', { post: JSON.stringify({ ...post('p4', 'other'), delete_at: 1 }) }))
    expect(state.channelPosts.other!.order).to.deep.equal([])
  })

  it('shows who is typing in a channel for a few seconds, and not myself', () => {
    handleServerEvent(event('typing', { user_id: BOB, parent_id: '' }, { channel_id: 'other' }))
    handleServerEvent(event('typing', { user_id: ME, parent_id: '' }, { channel_id: 'other' }))
    expect(Object.keys(state.typing.other ?? {})).to.deep.equal([BOB])
    expect(state.typing.other![BOB]).to.be.greaterThan(Date.now())
  })

  it('marks a channel read when it was viewed in another tab', () => {
    state.members.other!.msg_count = 1
    state.members.other!.mention_count = 2
    handleServerEvent(event('multiple_channels_viewed', { channel_times: { other: Date.now() } }))
    expect(unreadOf('other')).to.deep.equal({ unread: false, mentions: 0 })
  })

  it('ignores an event whose payload is not JSON', () => {
    expect(() => handleServerEvent(event('posted', { post: '{not json' }))).not.to.throw()
  })
})

describe('channel names in the sidebar', () => {
  it('names a group message after the other members and a DM after the other person', () => {
    state.me = { id: ME, username: 'me', roles: 'system_user', delete_at: 0 }
    state.users[BOB] = { id: BOB, username: 'bob', roles: 'system_user', delete_at: 0 }
    expect(channelLabel(channel('g', { type: 'G', display_name: 'bob, carol, me' }))).to.equal('bob, carol')
    expect(channelLabel(channel('d', { type: 'D', name: `${BOB}__${ME}` }))).to.equal('bob')
  })
})
