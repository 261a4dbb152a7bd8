/** Playbooks of the server and the team's runs; start a run from here. */
import { useEffect, useState } from 'preact/hooks'
import type { Team } from '../api/types.ts'
import { linkHandler, navigate } from '../router.ts'
import { listPlaybooks, listRuns, startRun, type PlaybookSummary, type Run } from './api.ts'

export function Playbooks(props: { team: Team }) {
  const [playbooks, setPlaybooks] = useState<PlaybookSummary[]>([])
  const [runs, setRuns] = useState<Run[]>([])
  const [chosen, setChosen] = useState('')
  const [name, setName] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    document.title = 'Playbooks - Bridgehead'
    listPlaybooks().then((r) => {
      setPlaybooks(r.items)
      setChosen((c) => c || r.items[0]?.id || '')
    }, (err: Error) => setError(err.message))
    listRuns(props.team.id).then((r) => setRuns(r.items), (err: Error) => setError(err.message))
  }, [props.team.id])
  const start = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError('')
    try {
      const run = await startRun(chosen, props.team.id, name.trim())
      navigate(`/${props.team.name}/playbooks/runs/${run.id}`)
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="playbooks page" aria-labelledby="pb-title">
      <h1 id="pb-title">Playbooks</h1>
      <ul class="plain cards">
        {playbooks.map((p) => (
          <li key={p.id} class="card">
            <strong>{p.title}</strong>
            <p class="muted">{p.description}</p>
            {p.problems.length > 0 && <p class="error">{p.problems.length} problem(s): {p.problems[0]}</p>}
          </li>
        ))}
      </ul>
      <form onSubmit={start} class="card" aria-labelledby="start-title">
        <h2 id="start-title">Start a run</h2>
        <label>
          Playbook
          <select value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
            {playbooks.map((p) => <option key={p.id} value={p.id}>{p.title}</option>)}
          </select>
        </label>
        <label>
          Run name
          <input name="run_name" value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={200} />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy || !chosen}>Start run</button>
      </form>
      <h2>Runs</h2>
      {runs.length === 0 && <p class="muted">No runs in this team yet.</p>}
      <ul class="plain">
        {runs.map((r) => (
          <li key={r.id}>
            <a href={`/${props.team.name}/playbooks/runs/${r.id}`} onClick={linkHandler(`/${props.team.name}/playbooks/runs/${r.id}`)}>#{r.number} {r.name}</a>{' '}
            <span class="badge">{r.current_status}</span>
          </li>
        ))}
      </ul>
    </section>
  )
}
