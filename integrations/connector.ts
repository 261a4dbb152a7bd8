/** The interface every inbound connector implements: verify, parse, dedupe. Pure: no HTTP server, no database. */
import type { Registered } from '../core/registry.ts'
import type { IntegrationEvent, IntegrationSource } from './event.ts'

/** Header values as Node gives them (names lower-cased); connectors read them case-insensitively anyway. */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>

/** One inbound delivery, with the body exactly as received: signatures are over these bytes. */
export interface WebhookRequest {
  headers: WebhookHeaders
  rawBody: Uint8Array
}

export type VerifyResult = { ok: true } | { ok: false; reason: string }

export type ParseResult =
  /** One or more normalised events (grouped alerts give one per alert). */
  | { kind: 'events'; events: IntegrationEvent[] }
  /** A well-formed delivery we chose not to handle (answer 2xx and log, never an error). */
  | { kind: 'ignored'; vendorEvent: string; reason: string }
  /** A body we cannot read (answer 400); `message` names the field path. */
  | { kind: 'invalid'; message: string }

export interface ParseOptions {
  /** Epoch ms used when the payload carries no time of its own; defaults to now. */
  receivedAt?: number
  /**
   * The connection the delivery came in on, for vendors whose correlation keys are only unique per connection
   * (Alertmanager group keys are built from the route and labels, which two teams can share).
   */
  connectionId?: string
}

export interface Connector extends Registered {
  id: IntegrationSource
  /** Shown to admins. */
  name: string
  /** Where the vendor documents its webhooks; for the README and admin UI. */
  docsUrl: string
  /**
   * `false` for vendors Bridgehead only calls (Zoom): their connections have no webhook URL, and the receiver answers
   * 404 without calling `verify` or `parse`.
   */
  inbound?: false
  /** Largest body the receiver should read before answering 413. */
  maxBodyBytes: number
  /**
   * Checks the delivery's signature or credentials against every active secret (current and, during rotation,
   * previous). Never throws; a failure says why without revealing the expected value.
   */
  verify(request: WebhookRequest, secrets: readonly string[]): Promise<VerifyResult>
  /** Validates and normalises a verified body. Never throws. */
  parse(rawBody: Uint8Array, headers: WebhookHeaders, options?: ParseOptions): ParseResult
  /**
   * The key to drop redeliveries on: the vendor's delivery id header, or a hash of what makes the delivery
   * distinct for vendors that send none (alert groups). Computed from a verified request, before parsing succeeds.
   */
  dedupeKey(request: WebhookRequest): string
}
