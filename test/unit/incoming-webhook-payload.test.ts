// Reading POST /hooks/{id} bodies (core/webhooks/incoming-payload.ts) as Mattermost's IncomingWebhookRequestFromJSON does.
import { expect } from 'chai'
import { parseIncomingWebhookJson, readIncomingWebhookRequest } from '../../core/webhooks/incoming-payload.ts'
import { AppError } from '../../core/errors.ts'

function parseError(fn: () => unknown): AppError {
  try {
    fn()
  } catch (err) {
    expect(err).to.be.instanceOf(AppError).with.property('id', 'model.incoming_hook.parse_data.app_error')
    return err as AppError
  }
  throw new Error('expected a parse_data error')
}

describe('readIncomingWebhookRequest', () => {
  it('reads Mattermost and Slack fields, with "" for absent strings', () => {
    expect(readIncomingWebhookRequest({ text: 'hi', channel: '#ops', icon_emoji: ':x:', props: { a: 1 }, priority: { priority: 'urgent', requested_ack: true } })).to.deep.equal({
      text: 'hi', username: '', iconUrl: '', channel: '#ops', props: { a: 1 }, attachments: null, type: '', iconEmoji: ':x:',
      priority: { priority: 'urgent', requested_ack: true },
    })
  })

  it('counts an empty attachments list as none', () => {
    expect(readIncomingWebhookRequest({ attachments: [] }).attachments).to.equal(null)
  })

  it('names a top-level field of the wrong type', () => {
    expect(parseError(() => readIncomingWebhookRequest({ text: 5 })).message).to.equal('Unable to parse incoming data: text: expected a string, got number.')
    expect(parseError(() => readIncomingWebhookRequest({ props: [] })).message).to.include('props: expected an object')
    expect(parseError(() => readIncomingWebhookRequest({ priority: { requested_ack: 'yes' } })).message).to.include('priority.requested_ack')
  })

  it('names an attachment field of the wrong type', () => {
    expect(parseError(() => readIncomingWebhookRequest({ attachments: [{ fields: [{ short: 'maybe' }] }] })).message).to.include('attachments[0].fields[0].short')
  })

  it('refuses a body that is not an object', () => {
    parseError(() => readIncomingWebhookRequest(['text']))
  })
})

describe('parseIncomingWebhookJson', () => {
  it('escapes raw newlines and tabs inside text fields on a second try', () => {
    expect(parseIncomingWebhookJson('{"text": "a\nb", "attachments": [{"fallback": "c\td", "title": "t"}]}').text).to.equal('a\nb')
  })

  it('still refuses JSON that is broken elsewhere', () => {
    expect(parseError(() => parseIncomingWebhookJson('{"text": "a",}')).message).to.match(/not valid JSON/)
  })

  it('says so when the body is empty', () => {
    expect(parseError(() => parseIncomingWebhookJson('')).message).to.equal('Unable to parse incoming data: the body is empty.')
  })
})
