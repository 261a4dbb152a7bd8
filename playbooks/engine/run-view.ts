/**
 * How a run's checklists, retrospective and metrics look from outside (pure): the checklist post
 * in the channel, Mattermost-shaped `checklists` in the API, and the ways people address an item
 * (Mattermost's checklist and item numbers, ids, or the number `/playbook check` shows).
 */
import { AppError } from '../../core/errors.ts'
import { parseDuration, type ChecklistItem, type Playbook } from '../dsl/index.ts'
import { graphOf } from './plan.ts'
import { presentMetrics } from './metrics.ts'
import type { ChecklistItemState, RunState } from './state.ts'
import type { RunRow } from './store.ts'

/** The checklist post: title, numbered visible items (the numbers `/playbook check` takes), assignees, due times. */
export function checklistMessage(title: string, items: ChecklistItemState[], nameOf: (userId: string) => string): string {
  const mark = (i: ChecklistItemState) => (i.state === 'closed' ? '☑' : i.state === 'skipped' ? '~~☐~~' : '☐')
  const lines = [`**${title}**`, ...items.map((i, n) => `${n + 1}. ${mark(i)} ${i.state === 'skipped' ? `~~${i.title}~~` : i.title}${i.assigneeId ? ` (@${nameOf(i.assigneeId)})` : ''}${i.dueAt > 0 && i.state === 'open' ? ` · due ${new Date(i.dueAt).toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}`)]
  lines.push('', `_Check items with \`/playbook check <number>\` in this channel, or in the run view._`)
  return lines.join('\n')
}

/** The checklist steps of a run, in the order their items were added (Mattermost's checklist numbers). */
export function checklistIds(state: RunState): string[] {
  return [...new Set(state.items.map((i) => i.stepId))]
}

const itemNotFound = (what: string) => new AppError('app.playbook_run.item_not_found.app_error', `Checklist item ${what} not found.`, 404)

/**
 * An item by Mattermost's numbers (`/checklists/0/item/2`, from 0, hidden items included) or by
 * step id and item id. @throws AppError 404.
 */
export function itemAt(state: RunState, checklist: string, item: string): ChecklistItemState {
  const ids = checklistIds(state)
  const stepId = /^\d+$/.test(checklist) ? ids[Number(checklist)] : ids.find((id) => id === checklist)
  if (!stepId) throw itemNotFound(`list ${checklist}`)
  const items = state.items.filter((i) => i.stepId === stepId)
  const found = /^\d+$/.test(item) ? items[Number(item)] : items.find((i) => i.id === item)
  if (!found) throw itemNotFound(`${checklist}/${item}`)
  return found
}

/** An item by the number `/playbook check` shows (visible items, from 1) or by its title. */
export function visibleItem(state: RunState, words: string[]): ChecklistItemState | undefined {
  const visible = state.items.filter((i) => !i.hidden)
  const n = Number(words[0])
  return Number.isInteger(n) && n >= 1 ? visible[n - 1] : visible.find((i) => i.title.toLowerCase() === words.join(' ').toLowerCase())
}

/** The DSL item behind an item of the run (its `uses`, `with`, `assignee`), found by id or position. */
export function dslItem(playbook: Playbook, item: ChecklistItemState): ChecklistItem | undefined {
  const items = graphOf(playbook).nodes.get(item.stepId)?.step.checklist?.items ?? []
  return items.find((d, i) => (d.id ?? `${item.stepId}-${i + 1}`) === item.id)
}

/** What run-ops adds to a run in the API: Mattermost-shaped checklists, the retrospective and the metrics. */
export function presentRunOps(row: RunRow): Record<string, unknown> {
  const state = row.state
  const graph = graphOf(row.playbook)
  const retro = state.retrospective
  const config = row.playbook.retrospective
  return {
    checklists: checklistIds(state).map((stepId) => {
      const node = graph.nodes.get(stepId)
      return {
        id: stepId, title: node?.step.checklist?.title ?? node?.step.name ?? stepId,
        items: state.items.filter((i) => i.stepId === stepId).map((i) => {
          const spec = dslItem(row.playbook, i)
          return {
            id: i.id, title: i.title, state: i.state, hidden: i.hidden, assignee_id: i.assigneeId, due_date: i.dueAt, command: i.command,
            command_last_run: i.commandLastRun ?? 0, uses: spec?.uses ?? '',
            requires: (spec?.requires ?? []).map((r) => ({ name: r.name, type: r.type, required: r.required !== false })), values: i.values ?? {},
          }
        }),
      }
    }),
    retrospective: retro?.text ?? '',
    retrospective_published_at: retro?.publishedAt ?? 0,
    retrospective_was_canceled: retro?.canceled ?? false,
    retrospective_enabled: config !== undefined && config.enabled !== false,
    retrospective_reminder_interval_seconds: config?.reminderEvery ? Math.round((parseDuration(config.reminderEvery) ?? 0) / 1000) : 0,
    ...presentMetrics(row.playbook, state),
  }
}
