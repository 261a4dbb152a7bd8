/** The Mattermost server version we are compatible with, and our own build. */
import { createHash } from 'node:crypto'

/** Clients gate features on this; report a modern Mattermost. */
export const MATTERMOST_VERSION = '10.5.0'
export const BRIDGEHEAD_VERSION = '0.1.0'

/** `X-Version-ID`: `{version}.{build}.{config hash}.{licensed}`, as Mattermost. */
export function versionId(siteUrl: string): string {
  const hash = createHash('sha1').update(siteUrl).digest('hex').slice(0, 6)
  return `${MATTERMOST_VERSION}.${MATTERMOST_VERSION}.${hash}.false`
}
