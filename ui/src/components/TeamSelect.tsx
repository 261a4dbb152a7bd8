/** Pick, join or create a team. */
import { useEffect, useState } from 'preact/hooks'
import { api, v4 } from '../api/client.ts'
import type { Team } from '../api/types.ts'
import { createTeam, joinTeam, logout } from '../state/actions.ts'
import { useAppState } from '../state/store.ts'
import { navigate } from '../router.ts'
import { ErrorLine } from './Modal.tsx'

export function slugify(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64)
}

export function TeamSelect() {
  const s = useAppState()
  const [open, setOpen] = useState<Team[]>([])
  const [name, setName] = useState('')
  const [error, setError] = useState('')
  useEffect(() => {
    api.get<Team[]>(v4('/teams?per_page=200')).then(setOpen, () => setOpen([]))
  }, [])
  const mine = new Set(s.teams.map((t) => t.id))
  const joinable = open.filter((t) => !mine.has(t.id) && t.allow_open_invite !== false && t.type === 'O')
  const create = async (e: Event) => {
    e.preventDefault()
    setError('')
    try {
      const team = await createTeam(name.trim(), slugify(name), true)
      navigate(`/${team.name}/channels/town-square`)
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return (
    <main class="auth teams">
      <section aria-labelledby="my-teams">
        <h1 id="my-teams">Your teams</h1>
        {s.teams.length === 0 && <p>You are not in a team yet.</p>}
        <ul class="plain">
          {s.teams.map((t) => (
            <li key={t.id}>
              <button class="link" onClick={() => navigate(`/${t.name}/channels/town-square`)}>{t.display_name}</button>
            </li>
          ))}
        </ul>
        {joinable.length > 0 && (
          <>
            <h2>Teams you can join</h2>
            <ul class="plain">
              {joinable.map((t) => (
                <li key={t.id}>
                  {t.display_name}{' '}
                  <button onClick={async () => {
                    try {
                      await joinTeam(t.id)
                      navigate(`/${t.name}/channels/town-square`)
                    } catch (err) {
                      setError((err as Error).message)
                    }
                  }}>Join</button>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <form onSubmit={create} aria-labelledby="new-team">
        <h2 id="new-team">Create a team</h2>
        <label>
          Team name
          <input name="team_name" value={name} onInput={(e) => setName(e.currentTarget.value)} required minLength={2} />
        </label>
        <ErrorLine error={error} />
        <button type="submit" class="primary">Create team</button>
      </form>
      <p>
        <button class="link" onClick={() => void logout()}>Log out</button>
      </p>
    </main>
  )
}
