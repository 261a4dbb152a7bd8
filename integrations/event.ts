/** The one event shape every connector emits: what playbook triggers see as `trigger` (playbooks spec §3.2). */

export type IntegrationSource = 'pagerduty' | 'grafana' | 'alertmanager' | 'github' | 'jira' | 'zoom'

/** Normalised urgency; vendors' own scales map onto it in each normaliser. */
export type Severity = 'critical' | 'high' | 'warning' | 'info'

/** Someone on the vendor's side; `email` is what maps them to a local user. */
export interface VendorPerson {
  vendorId?: string
  name?: string
  email?: string
}

export interface IntegrationEvent {
  source: IntegrationSource
  /** Bridgehead's name: `<source>.<noun>.<verb>`, e.g. `pagerduty.incident.triggered`, `grafana.alert.firing`. */
  type: string
  /** The vendor's own name, as playbook `on:` triggers list it: `incident.triggered`, `issues.opened`, `jira:issue_created`. */
  vendorEvent: string
  /** Unique per event: the delivery id, or the delivery id plus the alert fingerprint for grouped alerts. */
  id: string
  /** What ties later events to the same run (playbooks spec §9.1 defaults). */
  correlationKey: string
  /** Epoch milliseconds. */
  occurredAt: number
  title: string
  severity?: Severity
  /** Vendor status in lower case: `triggered`, `acknowledged`, `firing`, `resolved`, `open`, `merged`, `success`, … */
  status?: string
  url?: string
  actor?: VendorPerson
  assignee?: VendorPerson
  /** The vendor's object of interest: PagerDuty `event.data`, one Grafana/Alertmanager alert with its group, others the body. */
  data: unknown
  /** The whole parsed body. */
  raw: unknown
  /**
   * The connection the delivery came in on; set by the server when it publishes the event (parsers leave it out), so
   * a playbook step can call the same vendor account back: `connection: "${{ trigger.connectionId }}"`.
   */
  connectionId?: string
}
