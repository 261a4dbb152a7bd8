/** The in-process event bus: who gets an event, isolation between subscribers, failure handling. */
import { expect } from 'chai'
import { Writable } from 'node:stream'
import { createLogger } from '../../../core/log.ts'
import { createMemoryBus, type DomainEvent, type EventBus } from '../../../core/realtime/index.ts'

function recordingLog(lines: Record<string, unknown>[]) {
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>)
      done()
    },
  })
  return createLogger({ level: 'debug', destination })
}

const posted: DomainEvent = { type: 'post.created', payload: { postId: 'p1' } }

describe('memory bus', () => {
  let lines: Record<string, unknown>[]
  let bus: EventBus

  beforeEach(() => {
    lines = []
    bus = createMemoryBus({ log: recordingLog(lines) })
  })

  afterEach(() => bus.close())

  it('delivers an event to subscribers that list its type', async () => {
    const seen: string[] = []
    bus.subscribe({ id: 'a', events: ['post.created'], handle: (e) => void seen.push(e.type) })
    await bus.publish(posted)
    expect(seen).to.deep.equal(['post.created'])
  })

  it('delivers every event to a subscriber of "*"', async () => {
    const seen: string[] = []
    bus.subscribe({ id: 'all', events: '*', handle: (e) => void seen.push(e.type) })
    await bus.publish(posted)
    await bus.publish({ type: 'channel.created', payload: {} })
    expect(seen).to.deep.equal(['post.created', 'channel.created'])
  })

  it('does not deliver an event to subscribers of other types', async () => {
    const seen: string[] = []
    bus.subscribe({ id: 'channels', events: ['channel.created'], handle: (e) => void seen.push(e.type) })
    await bus.publish(posted)
    expect(seen).to.deep.equal([])
  })

  it('resolves publish only after asynchronous handlers have settled', async () => {
    let finished = false
    bus.subscribe({
      id: 'slow',
      events: '*',
      handle: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20))
        finished = true
      },
    })
    await bus.publish(posted)
    expect(finished).to.equal(true)
  })

  it('logs a subscriber that throws with its id and still delivers to the others', async () => {
    const seen: string[] = []
    bus.subscribe({ id: 'broken', events: '*', handle: () => { throw new Error('boom') } })
    bus.subscribe({ id: 'healthy', events: '*', handle: (e) => void seen.push(e.type) })
    await bus.publish(posted)
    expect(seen).to.deep.equal(['post.created'])
    const failure = lines.find((l) => l.msg === 'subscriber failed')
    expect(failure).to.include({ subscriber: 'broken', event: 'post.created', level: 'warn' })
  })

  it('logs a subscriber whose promise rejects and resolves publish anyway', async () => {
    bus.subscribe({ id: 'rejecting', events: '*', handle: async () => Promise.reject(new Error('later boom')) })
    await bus.publish(posted)
    expect(lines.find((l) => l.msg === 'subscriber failed')).to.include({ subscriber: 'rejecting' })
  })

  it('delivers a frozen copy: a subscriber that mutates it fails alone and the others see the event as published', async () => {
    const seen: DomainEvent[] = []
    const nested: DomainEvent = { type: 'post.created', payload: { postId: 'p1', props: { tags: ['a'] } } }
    bus.subscribe({ id: 'mutator', events: '*', handle: (e) => { ((e.payload.props as Record<string, string[]>).tags!).push('b') } })
    bus.subscribe({ id: 'reader', events: '*', handle: (e) => void seen.push(e) })
    await bus.publish(nested)
    expect(seen[0]?.payload).to.deep.equal({ postId: 'p1', props: { tags: ['a'] } })
    expect(seen[0]).to.not.equal(nested)
    expect(nested.payload).to.deep.equal({ postId: 'p1', props: { tags: ['a'] } })
    expect(lines.find((l) => l.msg === 'subscriber failed')).to.include({ subscriber: 'mutator' })
  })

  it('rejects an event that is not plain JSON', async () => {
    const error = await bus.publish({ type: 'bad.event', payload: { big: 1n } }).then(() => null, (e: unknown) => e)
    expect(error).to.be.instanceOf(Error).with.property('message').that.includes('bad.event')
  })

  it('stops delivering to a subscriber after it unsubscribes', async () => {
    const seen: string[] = []
    const unsubscribe = bus.subscribe({ id: 'leaving', events: '*', handle: (e) => void seen.push(e.type) })
    unsubscribe()
    await bus.publish(posted)
    expect(seen).to.deep.equal([])
  })

  it('refuses a second subscriber with the same id', () => {
    bus.subscribe({ id: 'dup', events: '*', handle: () => undefined })
    expect(() => bus.subscribe({ id: 'dup', events: '*', handle: () => undefined })).to.throw('"dup" is already subscribed')
  })

  it('waits for deliveries under way when closed, then refuses new events', async () => {
    let finished = false
    bus.subscribe({ id: 'slow', events: '*', handle: async () => { await new Promise((r) => setTimeout(r, 20)); finished = true } })
    void bus.publish(posted)
    await bus.close()
    expect(finished).to.equal(true)
    const error = await bus.publish(posted).then(() => null, (e: unknown) => e)
    expect(error).to.be.instanceOf(Error).with.property('message').that.includes('closed')
  })
})
