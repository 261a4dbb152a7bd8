/** One run, live: checklist (check, skip, assign), roles, status updates, timeline and retrospective. */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Team, User } from '../api/types.ts'
import { api, v4 } from '../api/client.ts'
import { linkHandler } from '../router.ts'
import { ensureUsers } from '../state/actions.ts'
import { onServerEvent } from '../state/events.ts'
import { useAppState } from '../state/store.ts'
import { getRun, getTimeline, postStatus, publishRetro, saveRetro, setAssignee, setItemState, setRole, setRunStatus, type Run, type TimelineEvent } from './api.ts'

export function RunView(props: { team: Team; runId: string }) {
  const s = useAppState()
  const [run, setRun] = useState<Run | null>(null)
  const [timeline, setTimeline] = useState<TimelineEvent[]>([])
  const [members, setMembers] = useState<User[]>([])
  const [update, setUpdate] = useState('')
  const [retro, setRetro] = useState<string | null>(null)
  const [asking, setAsking] = useState('')
  const [error, setError] = useState('')
  // Item states asked for and not yet answered: a run update arriving meanwhile (a step finishing) must not untick the box.
  const [pending, setPending] = useState<Record<string, string>>({})
  const refreshTimeline = () => getTimeline(props.runId).then(setTimeline, () => undefined)
  // The run as of its newest change seen: a GET answered after a newer live update must not undo it.
  const newest = useRef(0)
  const show = (r: Run) => {
    if (r.update_at < newest.current) return
    newest.current = r.update_at
    setRun(r)
    void ensureUsers([r.owner_user_id, ...Object.values(r.roles).flat().filter((x): x is string => typeof x === 'string')])
    void refreshTimeline()
  }
  useEffect(() => {
    newest.current = 0
    getRun(props.runId).then(show, (err: Error) => setError(err.message))
    api.get<User[]>(v4(`/users?in_team=${props.team.id}&per_page=200`)).then(setMembers, () => undefined)
    return onServerEvent('custom_playbooks_playbook_run_updated', (e) => {
      try {
        const updated = JSON.parse(String(e.data.payload)) as Run
        if (updated.id === props.runId) show(updated)
      } catch {
        // a payload we cannot read: the next change brings the whole run again
      }
    })
  }, [props.runId])
  const act = (work: () => Promise<unknown>, settled?: () => void) => {
    setError('')
    work().then((r) => {
      if (r && typeof r === 'object' && 'checklists' in r) show(r as Run)
    }, (err: Error) => setError(err.message)).finally(settled)
  }
  const setItem = (listId: string, itemId: string, state: 'open' | 'closed', values?: Record<string, string>) => {
    setPending((p) => ({ ...p, [itemId]: state }))
    act(() => setItemState(run!.id, listId, itemId, state, values), () => setPending(({ [itemId]: _, ...rest }) => rest))
  }
  if (!run) return error ? <p class="error" role="alert">{error}</p> : <p class="muted">Loading…</p>
  const channel = s.channels[run.channel_id]
  const name = (id: string) => s.users[id]?.username ?? members.find((m) => m.id === id)?.username ?? id.slice(0, 6)
  const finished = run.end_at > 0
  return (
    <section class="run page" aria-labelledby="run-title">
      <header>
        <h1 id="run-title">#{run.number} {run.name}</h1>
        <p>
          <span class="badge" data-testid="run-status">{run.current_status}</span> · owner @{name(run.owner_user_id)}
          {channel && <> · <a href={`/${props.team.name}/channels/${channel.name}`} onClick={linkHandler(`/${props.team.name}/channels/${channel.name}`)}>~{channel.name}</a></>}
        </p>
        {!finished && (
          <label class="inline">
            Status{' '}
            <select value={run.current_status} onChange={(e) => act(() => setRunStatus(run.id, e.currentTarget.value))}>
              {['active', 'mitigated', 'resolved', 'finished', 'canceled'].map((st) => <option key={st} value={st}>{st}</option>)}
            </select>
          </label>
        )}
      </header>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="run-grid">
        <div>
          {run.checklists.map((list) => (
            <section key={list.id} class="card checklist" aria-label={list.title}>
              <h2>{list.title}</h2>
              <ul class="plain">
                {list.items.filter((i) => !i.hidden).map((item) => (
                  <li key={item.id} class={`item ${item.state || 'open'}`}>
                    <label class="inline">
                      <input type="checkbox" checked={(pending[item.id] ?? item.state) === 'closed'} disabled={finished || item.state === 'skipped'} onChange={(e) => {
                        const closing = e.currentTarget.checked
                        // An item that needs values asks for them first; the box stays unticked until then.
                        if (closing && (item.requires ?? []).length > 0) {
                          e.currentTarget.checked = false
                          setAsking(item.id)
                        } else setItem(list.id, item.id, closing ? 'closed' : 'open')
                      }} />
                      <span class={item.state === 'skipped' ? 'skipped-text' : ''}>{item.title}</span>
                    </label>
                    {item.command && <code class="muted"> {item.command}</code>}
                    {asking === item.id && (
                      <form class="item-values" onSubmit={(e) => {
                        e.preventDefault()
                        const values = Object.fromEntries(new FormData(e.currentTarget).entries()) as Record<string, string>
                        setAsking('')
                        setItem(list.id, item.id, 'closed', values)
                      }}>
                        {(item.requires ?? []).map((r) => (
                          <label key={r.name}>
                            {r.name.replace(/_/g, ' ')}
                            {r.type === 'url' ? <input name={r.name} type="url" required={r.required} /> : r.type === 'number' ? <input name={r.name} type="number" required={r.required} /> : <input name={r.name} required={r.required} />}
                          </label>
                        ))}
                        <div class="row">
                          <button type="button" onClick={() => setAsking('')}>Cancel</button>
                          <button type="submit" class="primary">Close item</button>
                        </div>
                      </form>
                    )}
                    <span class="item-tools">
                      <select aria-label={`Assignee of ${item.title}`} value={item.assignee_id} disabled={finished} onChange={(e) => act(() => setAssignee(run.id, list.id, item.id, e.currentTarget.value))}>
                        <option value="">Unassigned</option>
                        {members.map((m) => <option key={m.id} value={m.id}>@{m.username}</option>)}
                      </select>
                      <button disabled={finished} onClick={() => act(() => setItemState(run.id, list.id, item.id, item.state === 'skipped' ? 'open' : 'skipped'))}>
                        {item.state === 'skipped' ? 'Restore' : 'Skip'}
                      </button>
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          ))}
          <section class="card" aria-labelledby="update-title">
            <h2 id="update-title">Status update</h2>
            <textarea aria-label="Status update" value={update} onInput={(e) => setUpdate(e.currentTarget.value)} disabled={finished} />
            <button class="primary" disabled={!update.trim() || finished} onClick={() => act(async () => {
              await postStatus(run.id, update.trim())
              setUpdate('')
              await refreshTimeline()
            })}>Post update</button>
          </section>
          {run.retrospective_enabled && (
            <section class="card" aria-labelledby="retro-title">
              <h2 id="retro-title">Retrospective</h2>
              {run.retrospective_published_at > 0 && <p class="muted">Published {new Date(run.retrospective_published_at).toLocaleString()}</p>}
              <textarea aria-label="Retrospective" value={retro ?? run.retrospective} onInput={(e) => setRetro(e.currentTarget.value)} />
              <div class="row">
                <button onClick={() => act(() => saveRetro(run.id, retro ?? run.retrospective))}>Save</button>
                <button class="primary" onClick={() => act(() => publishRetro(run.id, retro ?? run.retrospective))}>Publish</button>
              </div>
            </section>
          )}
        </div>
        <div>
          <section class="card" aria-labelledby="roles-title">
            <h2 id="roles-title">Roles</h2>
            <dl>
              {Object.entries(run.roles).map(([role, holder]) => (
                <div key={role} class="role">
                  <dt>{role}</dt>
                  <dd>
                    <select aria-label={`Holder of ${role}`} value={typeof holder === 'string' ? holder : Array.isArray(holder) ? holder[0] ?? '' : ''} disabled={finished} onChange={(e) => act(() => setRole(run.id, role, e.currentTarget.value))}>
                      <option value="">Nobody</option>
                      {members.map((m) => <option key={m.id} value={m.id}>@{m.username}</option>)}
                    </select>
                  </dd>
                </div>
              ))}
            </dl>
          </section>
          <section class="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">Timeline</h2>
            <ol class="plain timeline">
              {timeline.map((t) => (
                <li key={t.id}>
                  <time class="muted">{new Date(t.event_at).toLocaleTimeString()}</time> {t.summary || t.event_type}
                  {t.creator_user_id && <span class="muted"> · @{name(t.creator_user_id)}</span>}
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
    </section>
  )
}
