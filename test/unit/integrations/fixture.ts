// Loads recorded vendor payloads as the exact bytes a vendor would send, and signs them as the vendor would.
import { createHmac } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { expect } from 'chai'
import type { IntegrationEvent, ParseResult } from '../../../integrations/index.ts'

const ROOT = path.resolve(import.meta.dirname, '../../fixtures/integrations')

export function fixtureBytes(vendor: string, name: string): Buffer {
  return fs.readFileSync(path.join(ROOT, vendor, name))
}

export function fixtureJson(vendor: string, name: string): any {
  return JSON.parse(fixtureBytes(vendor, name).toString('utf8'))
}

export function hmacHex(secret: string, message: Buffer | string): string {
  return createHmac('sha256', secret).update(message).digest('hex')
}

export function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8')
}

/** The events of a parse that must have succeeded. */
export function eventsOf(result: ParseResult): IntegrationEvent[] {
  if (result.kind !== 'events') expect.fail(`expected events, got ${JSON.stringify(result)}`)
  return result.events
}

/** The single event of a parse that must have produced exactly one. */
export function onlyEvent(result: ParseResult): IntegrationEvent {
  const events = eventsOf(result)
  expect(events).to.have.length(1)
  return events[0]!
}

/** The message of a parse that must have been refused. */
export function invalidMessage(result: ParseResult): string {
  if (result.kind !== 'invalid') expect.fail(`expected invalid, got ${result.kind}`)
  return result.message
}
