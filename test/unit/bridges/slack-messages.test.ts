// Slack message fields the import depends on: timestamps, ids, long messages, progress lines.
import { expect } from 'chai'
import { compareTs, parseTs, postIdFor, splitMessage, MAX_MESSAGE_RUNES } from '../../../bridges/slack/import/messages.ts'
import { epochMs } from '../../../bridges/slack/import/export-index.ts'
import { redactTokens } from '../../../bridges/slack/import/report.ts'
import { slugChannelName } from '../../../bridges/slack/import/channels.ts'
import { slugUsername } from '../../../bridges/slack/import/users.ts'
import { describeProgress } from '../../../bridges/progress.ts'

describe('slack import fields', () => {
  it('reads a ts to the millisecond and orders by seconds then micros, never as floats', () => {
    expect(parseTs('1700000000.000100')).to.deep.equal({ ts: '1700000000.000100', seconds: 1700000000, micros: 100, ms: 1700000000000 })
    expect(parseTs('1700000000.123999')!.ms).to.equal(1700000000123)
    const a = parseTs('1700000000.000009')!
    const b = parseTs('1700000000.000010')!
    expect(compareTs(a, b)).to.be.lessThan(0)
  })

  it('coerces a ts given as a number and rejects what is not a ts', () => {
    expect(parseTs(1700000037.5)!.ts).to.equal('1700000037.500000')
    expect(parseTs('yesterday')).to.equal(null)
    expect(parseTs(undefined)).to.equal(null)
  })

  it('derives the same 26-character post id for the same team, channel and ts', () => {
    const id = postIdFor('team1', 'C1', '1700000000.000100')
    expect(id).to.match(/^[a-z0-9]{26}$/)
    expect(postIdFor('team1', 'C1', '1700000000.000100')).to.equal(id)
    expect(postIdFor('team2', 'C1', '1700000000.000100')).not.to.equal(id)
  })

  it('orders a channel\'s post ids by ts, so inserts extend one range of the index', () => {
    const ids = ['1600000000.000001', '1600000000.000002', '1700000000.000000', '1700000001.999999'].map((ts) => postIdFor('team1', 'C1', ts))
    expect([...ids].sort()).to.deep.equal(ids)
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).to.equal(1)
  })

  it('reads epochs in seconds or milliseconds, as numbers or strings', () => {
    expect(epochMs('1690000000')).to.equal(1690000000000)
    expect(epochMs(1690000000123)).to.equal(1690000000123)
    expect(epochMs('soon')).to.equal(0)
  })

  it('splits a message longer than core allows at a space, keeping every character', () => {
    const word = 'abcdefghi '
    const long = word.repeat(Math.ceil((MAX_MESSAGE_RUNES * 2) / word.length))
    const parts = splitMessage(long)
    expect(parts.length).to.equal(3)
    for (const p of parts) expect([...p].length).to.be.at.most(MAX_MESSAGE_RUNES)
    expect(parts.join(' ').replace(/\s+/g, '')).to.equal(long.replace(/\s+/g, ''))
    expect(splitMessage('short')).to.deep.equal(['short'])
  })

  it('makes usernames and channel names core accepts, keeping what it can of the original', () => {
    expect(slugUsername('José.Núñez', 'U1')).to.equal('jose.nunez')
    expect(slugUsername('42', 'U7')).to.equal('slack-u7')
    expect(slugChannelName('café-talk', 'C1')).to.equal('cafe-talk')
    expect(slugChannelName('日本語', 'C9')).to.equal('slack-c9')
  })

  it('redacts export tokens from anything reported', () => {
    expect(redactTokens('GET https://files.slack.com/x?t=xoxe-123&b=1 failed')).to.equal('GET https://files.slack.com/x?t=REDACTED&b=1 failed')
  })

  it('describes progress with counts, rate and ETA', () => {
    expect(describeProgress({ messages: 20_000, bytesDone: 25, bytesTotal: 100 }, 2000)).to.equal('25% 20,000 messages, 10,000/s, ETA 6s')
  })
})
