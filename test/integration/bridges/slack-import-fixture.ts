/**
 * A small Slack export holding every case the import must keep (issue 7): threads with a deleted
 * or missing root, edits, reactions from several users, pins, bots (known and unknown), files,
 * entities and mrkdwn, system messages, private channels, DMs, group DMs, archived channels, and
 * some broken entries that must be reported without stopping the rest.
 */
import type { ExportFiles } from '../../helpers/slack-export.ts'

export interface FixtureOptions {
  /** The email of an account that already exists: alice must be matched to it. */
  aliceEmail: string
  /** Base URL of the local server standing in for files.slack.com. */
  fileServer: string
}

export const TS = {
  root: '1700000000.000100',
  reply: '1700000001.000200',
  tombstone: '1700000010.000000',
  tombstoneReply: '1700000011.000000',
  missingRoot: '1699999000.000000',
  orphanReply: '1700000020.000000',
  sameMsA: '1700000040.000100',
  sameMsB: '1700000040.000200',
  broadcast: '1700000050.000000',
}

export function slackFixture(o: FixtureOptions): ExportFiles {
  const users = [
    { id: 'U1', name: 'alice', real_name: 'Alice Liddell', profile: { email: o.aliceEmail, first_name: 'Alice', last_name: 'Liddell', title: 'Lead' } },
    { id: 'U2', name: 'bob', real_name: 'Bob Builder', profile: { email: 'bob-slack@example.com', display_name: 'bobby' } },
    { id: 'U3', name: 'carol', real_name: 'Carol Danvers', profile: {} },
    { id: 'U4', name: 'dave', deleted: true, updated: '1690000000', profile: { email: 'dave-slack@example.com' } },
    { id: 'UB1', name: 'deploybot', is_bot: true, real_name: 'Deploy Bot', profile: { bot_id: 'B1' } },
  ]
  const channels = [
    { id: 'C1', name: 'general', created: 1600000000, creator: 'U1', is_general: true, members: ['U1', 'U2', 'U3'], topic: { value: 'News &amp; views' }, purpose: { value: 'Everyone' } },
    { id: 'C2', name: 'old-stuff', created: '1600000000', creator: null, is_archived: true, members: ['U1', 'U2'], topic: { value: '' }, purpose: { value: '' } },
    { id: 'C3', name: 'café-talk', created: 1600000000, creator: 'U2', members: ['U1', 'U2'] },
  ]
  const general = [
    { type: 'message', user: 'U1', text: 'hello *world* &amp; <@U2>, see <#C2|old-stuff>', ts: TS.root, thread_ts: TS.root, reply_count: 1,
      edited: { user: 'U1', ts: '1700000100.000000' }, pinned_to: ['C1'],
      reactions: [{ name: '+1', users: ['U2', 'U3'], count: 2 }, { name: 'wave::skin-tone-3', users: ['U1'], count: 1 }] },
    { type: 'message', user: 'U2', text: 'reply with `*code*` kept', ts: TS.reply, thread_ts: TS.root, parent_user_id: 'U1' },
    { type: 'message', subtype: 'tombstone', hidden: true, user: 'USLACKBOT', text: 'This message was deleted.', ts: TS.tombstone, thread_ts: TS.tombstone, reply_count: 1 },
    { type: 'message', user: 'U3', text: 'reply to a deleted root', ts: TS.tombstoneReply, thread_ts: TS.tombstone, parent_user_id: 'U1' },
    { type: 'message', user: 'U2', text: 'reply whose root is not in the export', ts: TS.orphanReply, thread_ts: TS.missingRoot, parent_user_id: 'U1' },
    { type: 'message', subtype: 'bot_message', bot_id: 'B1', username: 'Deploy Bot', icons: { image_72: 'https://img.example/deploy.png' }, text: 'deployed',
      attachments: [{ color: 'good', title: 'v1.2', text: '*ok* &amp; green' }], ts: '1700000030.000000' },
    { type: 'message', subtype: 'bot_message', bot_id: 'B9', bot_profile: { id: 'B9', name: 'Mystery Bot' }, text: 'from a bot users.json does not list', ts: '1700000031.000000' },
    { type: 'message', subtype: 'me_message', user: 'U1', text: 'waves', ts: '1700000032.000000' },
    { type: 'message', subtype: 'channel_join', user: 'U3', text: '<@U3> has joined the channel', ts: '1700000033.000000' },
    { type: 'message', subtype: 'channel_topic', user: 'U1', text: 'set the channel topic: new topic', topic: 'new topic', ts: '1700000034.000000' },
    { type: 'message', subtype: 'file_share', user: 'U1', text: 'two files', ts: '1700000035.000000', files: [
      { id: 'F1', name: 'report.txt', title: 'Report', mimetype: 'text/plain', size: 11, url_private_download: `${o.fileServer}/F1/report.txt?t=xoxe-secret` },
      { id: 'F2', name: 'gone.pdf', title: 'Gone', mimetype: 'application/pdf', size: 100, url_private_download: `${o.fileServer}/F2/gone.pdf?t=xoxe-secret` },
    ] },
    { type: 'message', subtype: 'file_share', user: 'U2', text: '', ts: '1700000035.500000', files: [{ id: 'F3', name: 'notes.md', title: 'Notes', mimetype: 'text/markdown', size: 9 }] },
    { type: 'message', user: 'U9', user_profile: { name: 'ext', real_name: 'External Person', display_name: 'ext' }, text: 'hi from outside', ts: '1700000036.000000' },
    { type: 'message', user: 'U2', text: '<!here> look at <https://example.com/a?b=1&amp;c=2|the site> ~gone~', ts: 1700000037.5 },
    { type: 'message', user: 'U1', text: '', ts: '1700000038.000000', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Status' } }, { type: 'section', text: { type: 'mrkdwn', text: '*all* good' } }] },
    { type: 'message', user: 'U1', text: 'first in the same ms', ts: TS.sameMsA },
    { type: 'message', user: 'U2', text: 'second in the same ms', ts: TS.sameMsB },
    { type: 'message', subtype: 'thread_broadcast', user: 'U3', text: 'also sent to the channel', ts: TS.broadcast, thread_ts: TS.root, root: { ts: TS.root } },
    { type: 'message', user: 'U2', text: 'no valid ts', ts: 'yesterday' },
  ]
  return {
    'users.json': users,
    'channels.json': channels,
    'groups.json': [{ id: 'G1', name: 'secret-plans', created: 1600000000, creator: 'U1', members: ['U1', 'U2'], purpose: { value: 'shh' } }],
    'dms.json': [{ id: 'D1', created: 1600000000, members: ['U1', 'U2'] }],
    'mpims.json': [{ id: 'G2', name: 'mpdm-alice--bob--carol-1', created: 1600000000, creator: 'U1', members: ['U1', 'U2', 'U3'], purpose: { value: 'Group messaging with: @alice @bob @carol' } }],
    'general/2023-11-14.json': general,
    'general/2023-11-15.json': '[{"type": "message", "user": "U1", "text": "cut off',
    'old-stuff/2023-11-14.json': [
      { type: 'message', user: 'U2', text: 'before the archive', ts: '1700000200.000000' },
      { type: 'message', subtype: 'channel_archive', user: 'U1', text: '<@U1> archived the channel', ts: '1700000300.000000' },
    ],
    'café-talk/2023-11-14.json': [{ type: 'message', user: 'U2', text: 'ça va?', ts: '1700000400.000000' }],
    'secret-plans/2023-11-14.json': [{ type: 'message', user: 'U1', text: 'private words', ts: '1700000500.000000' }],
    'D1/2023-11-14.json': [{ type: 'message', user: 'U2', text: 'just between us', ts: '1700000600.000000' }],
    'mpdm-alice--bob--carol-1/2023-11-14.json': [{ type: 'message', user: 'U3', text: 'hi all three', ts: '1700000700.000000' }],
    // Not Slack's: third-party exporters add the bytes of files here (spec §1.2).
    '__uploads/F3/notes.md': '# notes\n\n',
    'nobody-knows/2023-11-14.json': [{ type: 'message', user: 'U1', text: 'lost', ts: '1700000800.000000' }],
  }
}

/** Messages the fixture adds in a later export of the same workspace. */
export function laterMessages(): ExportFiles {
  return { 'general/2023-11-16.json': [{ type: 'message', user: 'U2', text: 'a message from the next day', ts: '1700100000.000000' }] }
}
