/**
 * Who is on call: the extension point behind playbooks' `oncall:<schedule>` references. Connectors that know
 * on-call schedules (PagerDuty) register a source; playbooks ask the registry and never the connector, so neither
 * imports the other.
 */
import { Registry, type Registered } from '../registry.ts'
import type { Logger } from '../log.ts'

export interface OnCallSource extends Registered {
  /**
   * The emails of who is on call now for `schedule` in the team's connections of this source, first escalation
   * level first; null when none of them knows the schedule (the next source is asked).
   * @throws for a vendor failure (the caller logs it and treats the reference as naming nobody).
   */
  onCallEmails(teamId: string, schedule: string): Promise<string[] | null>
}

export class OnCallRegistry extends Registry<OnCallSource> {
  constructor() {
    super('on-call source')
  }
}

/**
 * The emails on call for `schedule`, from the first source that knows it; [] when none does or a source fails (a
 * vendor outage must not stop a run from starting: the run goes on without them, and the log says why).
 */
export async function onCallEmails(registry: OnCallRegistry, log: Logger, teamId: string, schedule: string): Promise<string[]> {
  for (const source of registry.list()) {
    try {
      const emails = await source.onCallEmails(teamId, schedule)
      if (emails) return emails
    } catch (err) {
      log.warn({ err, source: source.id, teamId, schedule }, 'could not read who is on call')
    }
  }
  return []
}
