/** The `${{ }}` and Handlebars contexts of a run (spec §3.2), built from its state. */
import { extend } from '../../core/extend.ts'
import type { EvalContext } from '../dsl/index.ts'
import type { RunState } from './state.ts'

export interface RunContextOptions {
  playbook: { name: string; version: number }
  siteUrl: string
  teamName: string
  now: number
}

function metricsOf(state: RunState): Record<string, unknown> {
  const { detected, acknowledged, mitigated, resolved } = state.marks
  const since = (at: number) => (at > 0 && detected > 0 ? at - detected : null)
  return extend(state.metrics, { time_to_acknowledge: since(acknowledged), time_to_mitigate: since(mitigated), time_to_resolve: since(resolved) })
}

export function runValues(state: RunState, options: RunContextOptions): Record<string, unknown> {
  const steps: Record<string, unknown> = {}
  for (const [id, s] of Object.entries(state.steps)) {
    steps[id] = { status: s.status, outputs: s.outputs, attempts: s.attempts, startedAt: s.startedAt, finishedAt: s.finishedAt }
  }
  return {
    trigger: state.trigger,
    inputs: state.inputs,
    props: state.props,
    vars: state.vars,
    roles: state.roles,
    steps,
    secrets: {},
    // What fired the hook a step runs in; lists.ts's nodeContext fills it in for hook steps.
    hook: null,
    metrics: metricsOf(state),
    run: {
      id: state.id, number: state.number, title: state.title, status: state.status, mode: 'live', channel: state.channelId,
      url: options.teamName && state.channelId ? `${options.siteUrl}/${options.teamName}/channels/${state.channelId}` : '',
      startedAt: state.startedAt, playbook: options.playbook,
    },
  }
}

export function evalContext(state: RunState, options: RunContextOptions): EvalContext {
  return {
    values: runValues(state, options),
    now: () => new Date(options.now),
    status: { failed: state.failed, cancelled: state.status === 'canceled' },
  }
}
