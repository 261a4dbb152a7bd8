/** Action ids, lookup and what clients see of interactive message actions (Mattermost model/post.go). */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { findAction, withActionIds, withoutActionIntegrations } from '../../core/posts/post-actions.ts'
import { createTriggerIds } from '../../core/interactive/trigger-ids.ts'

const props = () => ({
  from_webhook: 'true',
  attachments: [
    { text: 'one', actions: [{ name: 'Go', integration: { url: 'https://ci.example.com/go', context: { secret: 's3' } } }, { id: 'keep', name: 'Keep' }] },
    { text: 'no actions' },
  ],
})

describe('post actions', () => {
  it('gives each action without an id a new 26-character id and keeps chosen ids', () => {
    const out = withActionIds(props()) as ReturnType<typeof props>
    const [go, keep] = out.attachments[0]!.actions as { id?: string }[]
    expect(go!.id).to.match(/^[a-z0-9]{26}$/)
    expect(keep!.id).to.equal('keep')
    expect(out.from_webhook).to.equal('true')
    expect(out.attachments[1]).to.deep.equal({ text: 'no actions' })
  })

  it('returns props without actions unchanged', () => {
    const plain = { attachments: [{ text: 'hi' }] }
    expect(withActionIds(plain)).to.equal(plain)
    expect(withoutActionIntegrations(plain)).to.equal(plain)
  })

  it('finds an action by id across attachments', () => {
    expect(findAction(props(), 'keep')).to.deep.equal({ id: 'keep', name: 'Keep' })
    expect(findAction(props(), 'nope')).to.equal(undefined)
    expect(findAction({ attachments: 'garbage' }, 'keep')).to.equal(undefined)
  })

  it('hides the integration URL and context from clients', () => {
    const shown = withoutActionIntegrations(props()) as ReturnType<typeof props>
    expect(shown.attachments[0]!.actions).to.deep.equal([{ name: 'Go' }, { id: 'keep', name: 'Keep' }])
    expect(props().attachments[0]).to.have.nested.property('actions[0].integration.url')
  })
})

describe('trigger ids', () => {
  it('are accepted for their user within 3 seconds, then refused as expired', () => {
    let now = 1_000_000
    const ids = createTriggerIds({ key: randomBytes(32), now: () => now })
    const { signed, client } = ids.issue('u1')
    expect(ids.verify(signed)).to.deep.equal({ userId: 'u1', clientId: client })
    now += 3001
    expect(() => ids.verify(signed)).to.throw().with.property('id', 'interactive_message.decode_trigger_id.expired')
  })

  it('refuses ids signed by another server and garbage', () => {
    const mine = createTriggerIds({ key: randomBytes(32) })
    const other = createTriggerIds({ key: randomBytes(32) })
    expect(() => mine.verify(other.issue('u1').signed)).to.throw().with.property('id', 'interactive_message.decode_trigger_id.verify_signature_failed')
    expect(() => mine.verify('not a trigger id')).to.throw().with.property('id', 'interactive_message.decode_trigger_id.missing_data')
  })
})
