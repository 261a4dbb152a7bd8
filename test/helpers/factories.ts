/**
 * Test data made through the public API with the official client: clients, users (the first
 * account of a server becomes its admin and creates the others), teams, channels and posts,
 * each with a name unique to the run.
 */
import { randomBytes } from 'node:crypto'
import mm from '@mattermost/client'
import type { UserProfile } from '@mattermost/types/users'
import type { Team } from '@mattermost/types/teams'
import type { Channel, ChannelType } from '@mattermost/types/channels'
import type { Post } from '@mattermost/types/posts'
import type { FileInfo } from '@mattermost/types/files'
import type { TestServer } from './server.ts'

const { Client4 } = mm

/** Unread counts of one channel, as GET /users/{uid}/channels/{cid}/unread returns them. */
export interface ChannelUnread {
  team_id: string
  channel_id: string
  msg_count: number
  mention_count: number
  mention_count_root: number
  urgent_mention_count: number
  msg_count_root: number
}

/**
 * Client4 plus the few in-scope routes that @mattermost/client 11.9 has no method for, sent
 * through Client4's own request path (same headers, auth and error handling).
 */
export class TestClient extends Client4 {
  /** GET /users/{user_id}/channels/{channel_id}/unread */
  getChannelUnread(channelId: string, userId = 'me'): Promise<ChannelUnread> {
    return this.doFetch(`${this.getUserRoute(userId)}/channels/${channelId}/unread`, { method: 'get' })
  }
}

export type Client = TestClient

export interface UserSession {
  client: Client
  user: UserProfile
  password: string
  /** The session token the login returned (the `Token` header). */
  token: string
}

export interface AdminSession extends UserSession {
  /** The body POST /users answered when this first account signed up. */
  signup: UserProfile
}

const runId = randomBytes(3).toString('hex')
let counter = 0

/** A lowercase name unique to this test run, e.g. `user-3fa9c1-17`. */
export function uniqueName(prefix: string): string {
  counter += 1
  return `${prefix}-${runId}-${counter}`
}

/** A new Client4 pointed at the server, without a session. */
export function makeClient(url: string): Client {
  const client = new TestClient()
  client.setUrl(url)
  return client
}

/**
 * Logs in with Client4 (which keeps the `Token` header as its bearer token).
 * @throws ClientError when the login is refused.
 */
export async function login(url: string, loginId: string, password: string): Promise<{ client: Client; user: UserProfile; token: string }> {
  const client = makeClient(url)
  const user = await client.login(loginId, password)
  const token = client.getToken()
  if (!token) throw new Error(`POST /users/login for ${loginId} answered without a Token header`)
  return { client, user, token }
}

const admins = new WeakMap<TestServer, Promise<AdminSession>>()

/**
 * The server's first account, created by an unauthenticated sign-up (so it is the system
 * admin), then logged in. Made once per server.
 */
export function getAdmin(server: TestServer): Promise<AdminSession> {
  let admin = admins.get(server)
  if (!admin) {
    admin = createFirstAccount(server)
    // A failed bootstrap should fail every caller, not be cached as a rejected promise forever.
    admin.catch(() => admins.delete(server))
    admins.set(server, admin)
  }
  return admin
}

async function createFirstAccount(server: TestServer): Promise<AdminSession> {
  const username = uniqueName('admin')
  const password = makePassword()
  const signup = await makeClient(server.url).createUser({ username, email: `${username}@example.com`, password } as UserProfile, '', '')
  const session = await login(server.url, username, password)
  return { ...session, password, signup }
}

export interface MakeUserOptions {
  /** Give the new account the system_admin role (through PUT /users/{id}/roles). */
  admin?: boolean
}

/** Accounts made ahead of need, per server: password hashing dominates, and the server hashes in parallel. */
const spareUsers = new WeakMap<TestServer, Promise<UserSession>[]>()
const PREFETCH = 4

/**
 * A new account, created by the server's admin through POST /users and logged in with Client4.
 * Accounts are made a few at a time in parallel; each call still gets one no test has used.
 * @throws ClientError when the server refuses a step.
 */
export async function makeUser(server: TestServer, options: MakeUserOptions = {}): Promise<UserSession> {
  let spares = spareUsers.get(server)
  if (!spares) spareUsers.set(server, (spares = []))
  if (spares.length === 0) {
    const admin = await getAdmin(server)
    for (let i = 0; i < PREFETCH; i++) {
      const next = createAccount(server, admin)
      // A failure surfaces to the caller that takes this one, not as an unhandled rejection now.
      next.catch(() => undefined)
      spares.push(next)
    }
  }
  const session = await spares.shift()!
  if (options.admin) {
    const admin = await getAdmin(server)
    await admin.client.updateUserRoles(session.user.id, 'system_user system_admin')
  }
  return session
}

async function createAccount(server: TestServer, admin: AdminSession): Promise<UserSession> {
  const username = uniqueName('user')
  const password = makePassword()
  await admin.client.createUser({ username, email: `${username}@example.com`, password } as UserProfile, '', '')
  const session = await login(server.url, username, password)
  return { ...session, password }
}

/** A new open team created by `client` (who becomes its admin). */
export function makeTeam(client: Client, overrides: Partial<Team> = {}): Promise<Team> {
  const name = uniqueName('team')
  return client.createTeam({ name, display_name: `Team ${name}`, type: 'O', ...overrides } as Team)
}

/** A new public (`O`) or private (`P`) channel in the team, created by `client`. */
export function makeChannel(client: Client, teamId: string, type: ChannelType = 'O', overrides: Partial<Channel> = {}): Promise<Channel> {
  const name = uniqueName('ch')
  return client.createChannel({ team_id: teamId, name, display_name: `Channel ${name}`, type, ...overrides } as Channel)
}

/** A post (or, with `rootId`, a reply) by `client`. */
export function makePost(client: Client, channelId: string, message = `message ${uniqueName('m')}`, rootId = ''): Promise<Post> {
  return client.createPost({ channel_id: channelId, message, root_id: rootId } as Post)
}

/** One file uploaded by `client` to the channel, as the web app sends it (multipart, channel_id first). */
export async function makeUpload(client: Client, channelId: string, name: string, data: Buffer): Promise<FileInfo> {
  const form = new FormData()
  form.append('channel_id', channelId)
  form.append('files', new Blob([data]), name)
  return (await client.uploadFile(form)).file_infos[0]!
}

export interface TeamWorld {
  team: Team
  /** The team's creator (team admin). */
  owner: UserSession
  /** Further accounts, each a member of the team. */
  members: UserSession[]
}

/** A team created by a new user, with `memberCount` further users added to it. */
export async function makeTeamWithMembers(server: TestServer, memberCount: number, teamOverrides: Partial<Team> = {}): Promise<TeamWorld> {
  const owner = await makeUser(server)
  const team = await makeTeam(owner.client, teamOverrides)
  const members: UserSession[] = []
  for (let i = 0; i < memberCount; i++) {
    const member = await makeUser(server)
    await owner.client.addToTeam(team.id, member.user.id)
    members.push(member)
  }
  return { team, owner, members }
}

/** A channel of `type` in the world's team, created by its owner, with the given sessions added. */
export async function makeChannelWith(world: TeamWorld, members: UserSession[], type: ChannelType = 'O'): Promise<Channel> {
  const channel = await makeChannel(world.owner.client, world.team.id, type)
  for (const member of members) await world.owner.client.addToChannel(member.user.id, channel.id)
  return channel
}

function makePassword(): string {
  return `Pw-${randomBytes(8).toString('hex')}-9`
}
