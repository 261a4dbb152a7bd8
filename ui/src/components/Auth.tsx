/** Log in and sign up (the first account of a server becomes its system admin). */
import { useState } from 'preact/hooks'
import { login, signup } from '../state/actions.ts'
import { linkHandler } from '../router.ts'
import { ErrorLine } from './Modal.tsx'

/**
 * A sign-in form's submit: runs `work`, or shows the server's message. Once signed in, the app
 * itself moves from /login or /signup to the first team (navigating here too would unmount the
 * next screen while someone types in it).
 */
function useSignIn(work: () => Promise<void>) {
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError('')
    try {
      await work()
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, submit }
}

export function Login() {
  const [loginId, setLoginId] = useState('')
  const [password, setPassword] = useState('')
  const { busy, error, submit } = useSignIn(() => login(loginId.trim(), password))
  return (
    <main class="auth">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Log in to Bridgehead</h1>
        <label>
          Email or username
          <input name="login_id" autoComplete="username" value={loginId} onInput={(e) => setLoginId(e.currentTarget.value)} required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
        </label>
        <ErrorLine error={error} />
        <button type="submit" class="primary" disabled={busy}>Log in</button>
        <p>
          No account? <a href="/signup" onClick={linkHandler('/signup')}>Create one</a>
        </p>
      </form>
    </main>
  )
}

export function Signup() {
  const [username, setUsername] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const { busy, error, submit } = useSignIn(() => signup(username.trim(), email.trim(), password))
  return (
    <main class="auth">
      <form onSubmit={submit} aria-labelledby="signup-title">
        <h1 id="signup-title">Create your account</h1>
        <label>
          Email
          <input name="email" type="email" autoComplete="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} required autoFocus />
        </label>
        <label>
          Username
          <input name="username" autoComplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required pattern="[a-z0-9._\-]{3,22}" title="3 to 22 lowercase letters, digits, dots, dashes or underscores" />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required minLength={8} />
        </label>
        <ErrorLine error={error} />
        <button type="submit" class="primary" disabled={busy}>Create account</button>
        <p>
          Have an account? <a href="/login" onClick={linkHandler('/login')}>Log in</a>
        </p>
      </form>
    </main>
  )
}
