// Slack compatibility (core/posts/slack-compat.ts): attachments, markup and webhook splitting, case by case.
import { expect } from 'chai'
import {
  POST_PROPS_MAX_USER_RUNES,
  SlackPayloadError,
  processSlackAttachments,
  processSlackText,
  readSlackAttachments,
  slackAttachmentProblems,
  slackUserIdsIn,
  splitWebhookPost,
  type SlackAttachment,
} from '../../core/posts/slack-compat.ts'
import { AppError } from '../../core/errors.ts'

const usernames: Record<string, string> = { U024BE7LH: 'alice', W123ABC: 'bob' }
const lookup = (id: string) => usernames[id]

function attachment(overrides: Partial<SlackAttachment> = {}): SlackAttachment {
  return { ...readSlackAttachments([{}])[0]!, ...overrides }
}

function payloadError(fn: () => unknown): SlackPayloadError {
  try {
    fn()
  } catch (err) {
    expect(err).to.be.instanceOf(SlackPayloadError)
    return err as SlackPayloadError
  }
  throw new Error('expected a SlackPayloadError')
}

describe('readSlackAttachments', () => {
  it('reads every Slack attachment field, keeping Mattermost\'s keys and defaults', () => {
    const [read] = readSlackAttachments([{
      fallback: 'Build passed', color: '#36a64f', pretext: 'CI', author_name: 'jenkins', author_link: 'https://ci.example.com',
      author_icon: 'https://ci.example.com/a.png', title: 'Build 42', title_link: 'https://ci.example.com/42', text: 'All green',
      fields: [{ title: 'Branch', value: 'main', short: true }], image_url: 'https://ci.example.com/i.png', thumb_url: 'https://ci.example.com/t.png',
      footer: 'CI', footer_icon: 'https://ci.example.com/f.png', ts: 1700000000, unknown_key: 'dropped',
    }])
    expect(read).to.deep.equal({
      id: 0, fallback: 'Build passed', color: '#36a64f', pretext: 'CI', author_name: 'jenkins', author_link: 'https://ci.example.com',
      author_icon: 'https://ci.example.com/a.png', title: 'Build 42', title_link: 'https://ci.example.com/42', text: 'All green',
      fields: [{ title: 'Branch', value: 'main', short: true }], image_url: 'https://ci.example.com/i.png', thumb_url: 'https://ci.example.com/t.png',
      footer: 'CI', footer_icon: 'https://ci.example.com/f.png', ts: 1700000000,
    })
  })

  it('fills absent strings with "" and absent fields and ts with null', () => {
    expect(attachment()).to.deep.include({ text: '', color: '', fields: null, ts: null })
    expect(attachment()).to.not.have.property('actions')
  })

  it('stringifies field values: numbers, booleans and objects', () => {
    const [read] = readSlackAttachments([{ fields: [{ title: 'n', value: 42 }, { title: 'b', value: false }, { title: 'o', value: { a: 1 } }, { title: 'none' }] }])
    expect(read!.fields!.map((f) => f.value)).to.deep.equal(['42', 'false', '{"a":1}', null])
  })

  it('reads short as a Slack bool: true, "true", "TRUE" and "false"', () => {
    const [read] = readSlackAttachments([{ fields: [{ short: true }, { short: 'true' }, { short: 'TRUE' }, { short: 'false' }] }])
    expect(read!.fields!.map((f) => f.short)).to.deep.equal([true, true, true, false])
  })

  it('accepts ts as a string', () => {
    expect(readSlackAttachments([{ ts: '1700000000.000100' }])[0]!.ts).to.equal('1700000000.000100')
  })

  it('drops null attachments and null fields', () => {
    const read = readSlackAttachments([null, { fields: [null, { title: 'a' }] }])
    expect(read).to.have.length(1)
    expect(read[0]!.fields).to.deep.equal([{ title: 'a', value: null, short: false }])
  })

  it('passes actions through and omits an empty list', () => {
    const action = { id: 'approve', name: 'Approve', integration: { url: 'https://bot.example.com/act', context: { k: 1 } } }
    expect(readSlackAttachments([{ actions: [action] }])[0]!.actions).to.deep.equal([action])
    expect(readSlackAttachments([{ actions: [] }])[0]).to.not.have.property('actions')
  })

  it('treats missing or null attachments as none', () => {
    expect(readSlackAttachments(undefined)).to.deep.equal([])
    expect(readSlackAttachments(null)).to.deep.equal([])
  })

  it('names the path of a string field of the wrong type', () => {
    expect(payloadError(() => readSlackAttachments([{}, { color: 5 }])).message).to.equal('attachments[1].color: expected a string, got number 5')
  })

  it('names the path of a bad short', () => {
    expect(payloadError(() => readSlackAttachments([{ fields: [{}, { short: 'yes' }] }])).path).to.equal('attachments[0].fields[1].short')
  })

  it('refuses attachments that are not an array, fields that are not an array and a ts that is an object', () => {
    expect(payloadError(() => readSlackAttachments({})).path).to.equal('attachments')
    expect(payloadError(() => readSlackAttachments([{ fields: 'x' }])).path).to.equal('attachments[0].fields')
    expect(payloadError(() => readSlackAttachments([{ ts: {} }])).path).to.equal('attachments[0].ts')
    expect(payloadError(() => readSlackAttachments(['x'])).path).to.equal('attachments[0]')
  })
})

describe('slackAttachmentProblems', () => {
  it('accepts good, warning, danger and #rrggbb colors', () => {
    for (const color of ['good', 'warning', 'danger', '#36a64f', '#ABCDEF', '']) expect(slackAttachmentProblems(attachment({ color }))).to.deep.equal([])
  })

  it('names a bad color', () => {
    expect(slackAttachmentProblems(attachment({ color: 'blue' }), 'attachments[0]')).to.deep.equal([
      'attachments[0].color: expected good, warning, danger or a #rrggbb hex color, got "blue"',
    ])
  })

  it('refuses a title_link without a title and an author_link without an author_name', () => {
    expect(slackAttachmentProblems(attachment({ title_link: 'https://x.example.com' }))).to.deep.equal(['attachment.title_link: set without title'])
    expect(slackAttachmentProblems(attachment({ author_link: 'https://x.example.com' }))).to.deep.equal(['attachment.author_link: set without author_name'])
  })

  it('refuses URLs that are not http or https, each by name', () => {
    const problems = slackAttachmentProblems(attachment({ image_url: 'javascript:alert(1)', thumb_url: 'not a url', footer_icon: 'ftp://x.example.com/f.png' }))
    expect(problems).to.deep.equal([
      'attachment.image_url: expected an http or https URL, got "javascript:alert(1)"',
      'attachment.thumb_url: expected an http or https URL, got "not a url"',
      'attachment.footer_icon: expected an http or https URL, got "ftp://x.example.com/f.png"',
    ])
  })

  it('refuses a fractional numeric ts', () => {
    expect(slackAttachmentProblems(attachment({ ts: 1.5 }))).to.deep.equal(['attachment.ts: expected a string or an integer, got 1.5'])
  })
})

describe('processSlackText', () => {
  it('turns <!channel>, <!here>, <!all> and <!everyone> into Mattermost mentions', () => {
    expect(processSlackText('<!channel> <!here> <!all> <!everyone>')).to.equal('@channel @here @all @all')
  })

  it('turns <@USERID> into @username when the id is known and leaves unknown ids alone', () => {
    expect(processSlackText('hi <@U024BE7LH> and <@W123ABC>, not <@UNKNOWN1>', lookup)).to.equal('hi @alice and @bob, not <@UNKNOWN1>')
  })

  it('leaves <@USERID> alone without a lookup', () => {
    expect(processSlackText('hi <@U024BE7LH>')).to.equal('hi <@U024BE7LH>')
  })

  it('turns <url|label> into a markdown link', () => {
    expect(processSlackText('Build <https://ci.example.com/42|#42> passed')).to.equal('Build [#42](https://ci.example.com/42) passed')
  })

  it('unwraps a bare <url>', () => {
    expect(processSlackText('see <https://example.com/a?b=1> or <mailto:ops@example.com>')).to.equal('see https://example.com/a?b=1 or mailto:ops@example.com')
  })

  it('does not join a link across lines', () => {
    expect(processSlackText('<a\nb|c>')).to.equal('<a\nb|c>')
  })

  it('leaves other angle brackets alone', () => {
    expect(processSlackText('a <b> c < d')).to.equal('a <b> c < d')
  })
})

describe('processSlackAttachments', () => {
  it('converts pretext, text and field values, and only the mentions of the title', () => {
    const [out] = processSlackAttachments([attachment({
      pretext: '<!here> <https://a.example.com|A>', text: '<@U024BE7LH> <https://b.example.com|B>', title: '<!channel> <https://c.example.com|C>',
      fields: [{ title: 't', value: '<https://d.example.com|D>', short: false }],
    })], lookup)
    expect(out).to.deep.include({ pretext: '@here [A](https://a.example.com)', text: '@alice [B](https://b.example.com)', title: '@channel <https://c.example.com|C>' })
    expect(out!.fields).to.deep.equal([{ title: 't', value: '[D](https://d.example.com)', short: false }])
  })

  it('does not change its input', () => {
    const input = [attachment({ text: '<!here>' })]
    processSlackAttachments(input)
    expect(input[0]!.text).to.equal('<!here>')
  })
})

describe('slackUserIdsIn', () => {
  it('collects each <@ID> of the text and attachments once', () => {
    expect(slackUserIdsIn('<@U1> <@U2> <@U1>', [attachment({ text: '<@U3>', fields: [{ title: '', value: '<@U2> <@U4>', short: false }] })]))
      .to.deep.equal(['U1', 'U2', 'U3', 'U4'])
  })
})

describe('splitWebhookPost', () => {
  it('keeps a short message as one part', () => {
    expect(splitWebhookPost({ message: 'hello', props: { from_webhook: 'true' } })).to.deep.equal([{ message: 'hello', props: { from_webhook: 'true' } }])
  })

  it('splits a long message into parts of at most maxPostSize runes, each with the props', () => {
    const parts = splitWebhookPost({ message: 'a'.repeat(25), props: { k: 'v' } }, 10)
    expect(parts.map((p) => p.message)).to.deep.equal(['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)])
    expect(parts.every((p) => p.props.k === 'v')).to.equal(true)
  })

  it('counts runes, not UTF-16 units, and never cuts a character in half', () => {
    const parts = splitWebhookPost({ message: '😀'.repeat(5), props: {} }, 2)
    expect(parts.map((p) => p.message)).to.deep.equal(['😀😀', '😀😀', '😀'])
  })

  it('splits at the default 16383 runes', () => {
    const parts = splitWebhookPost({ message: 'x'.repeat(16384), props: {} })
    expect(parts.map((p) => p.message.length)).to.deep.equal([16383, 1])
  })

  it('puts the attachments on the last part only', () => {
    const attachments = [attachment({ text: 'a' })]
    const parts = splitWebhookPost({ message: 'a'.repeat(15), props: { attachments, k: 'v' } }, 10)
    expect(parts[0]!.props).to.deep.equal({ k: 'v' })
    expect(parts[1]!.props).to.deep.equal({ k: 'v', attachments })
  })

  it('moves attachments that do not fit together onto further parts with an empty message', () => {
    const big = (c: string) => attachment({ text: c.repeat(POST_PROPS_MAX_USER_RUNES / 2) })
    const parts = splitWebhookPost({ message: 'hi', props: { attachments: [big('a'), big('b')] } })
    expect(parts.map((p) => p.message)).to.deep.equal(['hi', ''])
    expect(parts.map((p) => (p.props.attachments as SlackAttachment[]).map((a) => a.text[0]))).to.deep.equal([['a'], ['b']])
  })

  it('truncates the text of a lone attachment too large for one part', () => {
    const parts = splitWebhookPost({ message: 'hi', props: { attachments: [attachment({ text: 'a'.repeat(POST_PROPS_MAX_USER_RUNES) })] } })
    expect(parts).to.have.length(1)
    expect(JSON.stringify(parts[0]!.props).length).to.equal(POST_PROPS_MAX_USER_RUNES)
  })

  it('refuses props that cannot fit with web.incoming_webhook.split_props_length.app_error', () => {
    expect(() => splitWebhookPost({ message: 'hi', props: { big: 'x'.repeat(POST_PROPS_MAX_USER_RUNES) } }))
      .to.throw(AppError).with.property('id', 'web.incoming_webhook.split_props_length.app_error')
  })
})
