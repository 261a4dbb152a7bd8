/**
 * The signed-in person's account: profile names (PUT /users/me/patch), password
 * (PUT /users/me/password, the server checks the current one) and notification preferences
 * (notify_props, Mattermost's keys and values, which Mattermost clients read). Loaded on demand.
 */
import { useState } from 'preact/hooks'
import { api, v4 } from '../api/client.ts'
import type { User } from '../api/types.ts'
import { ErrorLine, Modal } from '../components/Modal.tsx'
import { update, useAppState } from '../state/store.ts'

/** Saves a patch of the signed-in user and folds the answer into the state. */
async function patchMe(patch: Partial<User>): Promise<void> {
  const user = await api.put<User>(v4('/users/me/patch'), patch)
  update((s) => {
    s.me = { ...s.me!, ...user }
    s.users[user.id] = { ...s.users[user.id], ...user }
  })
}

/** A form's submit state: the server's error, or a short confirmation. */
function useSubmit() {
  const [error, setError] = useState('')
  const [done, setDone] = useState('')
  const [busy, setBusy] = useState(false)
  const run = (work: () => Promise<string>) => async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError('')
    setDone('')
    try {
      setDone(await work())
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }
  const feedback = (
    <>
      <ErrorLine error={error} />
      {done && <p class="notice-inline" role="status">{done}</p>}
    </>
  )
  return { run, busy, feedback }
}

export function AccountSettings(props: { onClose: () => void }) {
  return (
    <Modal title="Account settings" onClose={props.onClose} wide>
      <Profile />
      <Password />
      <Notifications />
    </Modal>
  )
}

function Profile() {
  const me = useAppState().me!
  const [first, setFirst] = useState(me.first_name ?? '')
  const [last, setLast] = useState(me.last_name ?? '')
  const [nickname, setNickname] = useState(me.nickname ?? '')
  const submit = useSubmit()
  return (
    <form class="settings-section" aria-labelledby="settings-profile" onSubmit={submit.run(async () => {
      await patchMe({ first_name: first.trim(), last_name: last.trim(), nickname: nickname.trim() })
      return 'Profile saved.'
    })}>
      <h3 id="settings-profile">Profile</h3>
      <dl class="settings-facts">
        <dt>Username</dt><dd>@{me.username}</dd>
        <dt>Email</dt><dd>{me.email ?? ''}</dd>
      </dl>
      <label>First name<input name="first_name" value={first} maxLength={64} onInput={(e) => setFirst(e.currentTarget.value)} /></label>
      <label>Last name<input name="last_name" value={last} maxLength={64} onInput={(e) => setLast(e.currentTarget.value)} /></label>
      <label>Nickname<input name="nickname" value={nickname} maxLength={64} onInput={(e) => setNickname(e.currentTarget.value)} /></label>
      {submit.feedback}
      <button type="submit" class="primary" disabled={submit.busy}>Save profile</button>
    </form>
  )
}

function Password() {
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [again, setAgain] = useState('')
  const submit = useSubmit()
  return (
    <form class="settings-section" aria-labelledby="settings-password" onSubmit={submit.run(async () => {
      if (next !== again) throw new Error('The new passwords do not match.')
      await api.put(v4('/users/me/password'), { current_password: current, new_password: next })
      setCurrent('')
      setNext('')
      setAgain('')
      return 'Password changed.'
    })}>
      <h3 id="settings-password">Password</h3>
      <label>Current password<input type="password" autocomplete="current-password" value={current} required onInput={(e) => setCurrent(e.currentTarget.value)} /></label>
      <label>New password<input type="password" autocomplete="new-password" value={next} required onInput={(e) => setNext(e.currentTarget.value)} /></label>
      <label>Confirm new password<input type="password" autocomplete="new-password" value={again} required onInput={(e) => setAgain(e.currentTarget.value)} /></label>
      {submit.feedback}
      <button type="submit" class="primary" disabled={submit.busy}>Change password</button>
    </form>
  )
}

/** Mattermost's user notify_props keys this form edits, with their values and labels. */
const CHOICES: { key: string; label: string; options: [string, string][] }[] = [
  { key: 'desktop', label: 'Desktop notifications', options: [['all', 'For all activity'], ['mention', 'Mentions and direct messages'], ['none', 'Never']] },
  { key: 'push', label: 'Mobile push notifications', options: [['all', 'For all activity'], ['mention', 'Mentions and direct messages'], ['none', 'Never']] },
  { key: 'email', label: 'Email notifications', options: [['true', 'Mentions and direct messages'], ['false', 'Never']] },
  { key: 'comments', label: 'Replies in threads', options: [['any', 'Any thread I am in'], ['root', 'Threads I started'], ['never', 'Only when mentioned']] },
]
const SWITCHES: { key: string; label: string }[] = [
  { key: 'channel', label: 'Notify me for @channel, @all and @here' },
  { key: 'first_name', label: 'My first name counts as a mention' },
]

function Notifications() {
  const me = useAppState().me!
  const [props, setProps] = useState<Record<string, string>>({ ...me.notify_props })
  const set = (key: string, value: string) => setProps({ ...props, [key]: value })
  const submit = useSubmit()
  return (
    <form class="settings-section" aria-labelledby="settings-notifications" onSubmit={submit.run(async () => {
      const keys = (props.mention_keys ?? '').split(',').map((k) => k.trim()).filter(Boolean)
      await patchMe({ notify_props: { ...props, mention_keys: keys.join(',') } })
      return 'Notification preferences saved.'
    })}>
      <h3 id="settings-notifications">Notifications</h3>
      {CHOICES.map((c) => (
        <label key={c.key}>
          {c.label}
          <select value={props[c.key] ?? c.options[0]![0]} onChange={(e) => set(c.key, e.currentTarget.value)}>
            {c.options.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </label>
      ))}
      {SWITCHES.map((sw) => (
        <label key={sw.key} class="inline">
          <input type="checkbox" checked={props[sw.key] === 'true'} onChange={(e) => set(sw.key, String(e.currentTarget.checked))} /> {sw.label}
        </label>
      ))}
      <label>
        Other words that mention me (comma-separated)
        <input name="mention_keys" value={props.mention_keys ?? ''} maxLength={200} onInput={(e) => set('mention_keys', e.currentTarget.value)} />
      </label>
      {submit.feedback}
      <button type="submit" class="primary" disabled={submit.busy}>Save notifications</button>
    </form>
  )
}
