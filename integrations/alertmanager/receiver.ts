/**
 * Prometheus Alertmanager webhook receiver (`version: "4"`). Alertmanager does not sign its webhooks, so the check
 * is the `http_config` credentials (bearer `authorization` or `basic_auth`).
 * Payload: https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 * (struct `notify/webhook.Message` embedding `template.Data`).
 */
import { z } from 'zod'
import type { VerifyResult, WebhookRequest } from '../connector.ts'
import { alertGroupFields } from '../alert-group.ts'
import { verifyAuthorization } from '../http-auth.ts'

export function verifyAlertmanagerRequest(request: WebhookRequest, secrets: readonly string[]): VerifyResult {
  return verifyAuthorization(request.headers, secrets)
}

export const alertmanagerBodySchema = z.looseObject({
  ...alertGroupFields,
  version: z.literal('4'),
})
