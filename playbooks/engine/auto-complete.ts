/**
 * Checklist items with `autoComplete`: a message in a run channel with one of an item's keywords,
 * by someone its `by` names, closes the item as that person. Publishing a post waits for
 * subscribers, so a post is first matched in memory against the keywords of the loaded playbooks
 * (no query for the many posts without one); then the run's pinned playbook decides.
 */
import type { EventBus } from '../../core/realtime/events.ts'
import type { Logger } from '../../core/log.ts'
import type { Playbook } from '../dsl/index.ts'
import type { RunEngine } from './service.ts'
import { autoCompleteKeywords, itemsCompletedBy } from './item-rules.ts'

export interface AutoCompleteDeps {
  engine: RunEngine
  library: { list(): readonly { playbook: Playbook }[] }
  bus: EventBus
  log: Logger
}

export function startItemAutoComplete(deps: AutoCompleteDeps): void {
  const keywordsOf = new WeakMap<Playbook, string[]>()
  const keywords = (playbook: Playbook) => {
    let list = keywordsOf.get(playbook)
    if (!list) keywordsOf.set(playbook, (list = autoCompleteKeywords(playbook)))
    return list
  }
  deps.bus.subscribe({
    id: 'playbooks.item-auto-complete',
    events: ['post.created'],
    async handle(event) {
      const payload = event.payload as { channelId?: string; userId?: string }
      const raw = event.ws?.data.post
      if (!payload.channelId || !payload.userId || typeof raw !== 'string') return
      const post = JSON.parse(raw) as { message?: string; type?: string; props?: Record<string, unknown> }
      const text = (post.message ?? '').toLowerCase()
      if (!text || post.type || post.props?.from_bot === 'true' || post.props?.from_playbook) return
      if (!deps.library.list().some((e) => keywords(e.playbook).some((k) => text.includes(k)))) return
      const author = await deps.engine.ops.person(payload.userId)
      if (!author) return
      for (const run of await deps.engine.store.activeInChannel(payload.channelId)) {
        for (const item of itemsCompletedBy(run.playbook, run.state, post.message!, author)) {
          await deps.engine.setItemState(run.id, item.id, author.id, 'closed').catch((err: unknown) => deps.log.warn({ err, runId: run.id, itemId: item.id }, 'could not auto-complete a checklist item'))
        }
      }
    },
  })
}
