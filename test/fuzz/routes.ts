/**
 * The in-scope API surface for the fuzzer (spec sections 2–8, 14): each route with a valid
 * request whose `{param}`s the suite fills from its fixture.
 */
import type { RouteSpec } from './mutations.ts'

export const ROUTES: RouteSpec[] = [
  // System
  { method: 'GET', path: '/system/ping', query: 'get_server_status=true' },
  { method: 'GET', path: '/config/client', query: 'format=old' },
  { method: 'GET', path: '/license/client', query: 'format=old' },

  // Users and sessions
  { method: 'POST', path: '/users', body: { email: 'fuzz@example.com', username: 'fuzz-user', password: 'Password-123' }, anonymous: true },
  { method: 'POST', path: '/users/login', body: { login_id: '{username}', password: 'wrong-password', token: '', deviceId: '' }, anonymous: true },
  { method: 'GET', path: '/users/me' },
  { method: 'GET', path: '/users/{other}' },
  { method: 'GET', path: '/users/username/{otherName}' },
  { method: 'POST', path: '/users/ids', body: ['{other}'] },
  { method: 'POST', path: '/users/usernames', body: ['{otherName}'] },
  { method: 'GET', path: '/users', query: 'page=0&per_page=60&in_team={team}' },
  { method: 'POST', path: '/users/search', body: { term: 'user', team_id: '{team}' } },
  { method: 'GET', path: '/users/autocomplete', query: 'in_team={team}&name=us' },
  { method: 'PUT', path: '/users/{me}/patch', body: { nickname: 'fuzzy', position: 'tester' } },
  { method: 'PUT', path: '/users/{other}/roles', body: { roles: 'system_user' } },
  { method: 'GET', path: '/users/{me}/status' },
  { method: 'PUT', path: '/users/{me}/status', body: { user_id: '{me}', status: 'online' } },
  { method: 'POST', path: '/users/status/ids', body: ['{me}', '{other}'] },

  // Personal access tokens
  { method: 'POST', path: '/users/{me}/tokens', body: { description: 'fuzz', expires_at: 0 } },
  { method: 'GET', path: '/users/{me}/tokens', query: 'page=0&per_page=60' },
  { method: 'GET', path: '/users/tokens/{tokenId}' },
  { method: 'POST', path: '/users/tokens/disable', body: { token_id: '{tokenId}' } },
  { method: 'POST', path: '/users/tokens/enable', body: { token_id: '{tokenId}' } },
  { method: 'POST', path: '/users/tokens/revoke', body: { token_id: '{spareTokenId}' } },

  // Teams
  { method: 'POST', path: '/teams', body: { name: 'fuzz-team', display_name: 'Fuzz', type: 'O' } },
  { method: 'GET', path: '/teams/{team}' },
  { method: 'GET', path: '/teams/name/{teamName}' },
  { method: 'GET', path: '/users/{me}/teams' },
  { method: 'GET', path: '/users/{me}/teams/members' },
  { method: 'GET', path: '/users/{me}/teams/unread', query: 'include_collapsed_threads=true' },
  { method: 'POST', path: '/teams/{team}/members', body: { team_id: '{team}', user_id: '{other}' } },
  { method: 'GET', path: '/teams/{team}/members', query: 'page=0&per_page=60' },
  { method: 'GET', path: '/teams/{team}/members/{other}' },

  // Channels
  { method: 'POST', path: '/channels', body: { team_id: '{team}', name: 'fuzz-channel', display_name: 'Fuzz', type: 'O', purpose: '', header: '' } },
  { method: 'POST', path: '/channels/direct', body: ['{me}', '{other}'] },
  { method: 'POST', path: '/channels/group', body: ['{other}', '{third}'] },
  { method: 'GET', path: '/channels/{channel}' },
  { method: 'PUT', path: '/channels/{channel}/patch', body: { display_name: 'Fuzzed', header: 'h', purpose: 'p' } },
  { method: 'DELETE', path: '/channels/{channel}', destructive: true },
  { method: 'GET', path: '/teams/{team}/channels/name/{channelName}', query: 'include_deleted=false' },
  { method: 'GET', path: '/users/{me}/teams/{team}/channels', query: 'include_deleted=false' },
  { method: 'GET', path: '/teams/{team}/channels', query: 'page=0&per_page=60' },
  { method: 'POST', path: '/teams/{team}/channels/search', body: { term: 'fu' } },
  { method: 'GET', path: '/users/{me}/channels/{channel}/unread' },
  { method: 'POST', path: '/channels/{channel}/members', body: { user_id: '{other}', post_root_id: '' } },
  { method: 'GET', path: '/channels/{channel}/members', query: 'page=0&per_page=60' },
  { method: 'GET', path: '/channels/{channel}/members/{other}' },
  { method: 'DELETE', path: '/channels/{channel}/members/{other}', destructive: true },
  { method: 'GET', path: '/users/{me}/teams/{team}/channels/members' },
  { method: 'POST', path: '/channels/members/{me}/view', body: { channel_id: '{channel}', prev_channel_id: '', collapsed_threads_supported: true } },

  // Posts
  { method: 'POST', path: '/posts', body: { channel_id: '{channel}', message: 'fuzz', root_id: '', props: {}, file_ids: [] } },
  { method: 'GET', path: '/posts/{post}' },
  { method: 'PUT', path: '/posts/{post}/patch', body: { message: 'patched', is_pinned: false, props: {} } },
  { method: 'DELETE', path: '/posts/{post}', destructive: true },
  { method: 'GET', path: '/posts/{post}/thread', query: 'skipFetchThreads=false&collapsedThreads=false&collapsedThreadsExtended=false&direction=down&perPage=60' },
  { method: 'GET', path: '/channels/{channel}/posts', query: 'page=0&per_page=60' },
  { method: 'GET', path: '/users/{me}/channels/{channel}/posts/unread', query: 'limit_before=30&limit_after=30' },
  { method: 'POST', path: '/posts/{post}/pin' },
  { method: 'POST', path: '/posts/{post}/unpin' },
  { method: 'GET', path: '/channels/{channel}/pinned' },
  { method: 'GET', path: '/users/{me}/posts/flagged', query: 'page=0&per_page=60' },
  { method: 'POST', path: '/posts/ids', body: ['{post}'] },

  // Threads
  { method: 'GET', path: '/users/{me}/teams/{team}/threads', query: 'per_page=60&extended=false&deleted=false&unread=false&since=0' },
  { method: 'GET', path: '/users/{me}/teams/{team}/threads/{post}' },
  { method: 'PUT', path: '/users/{me}/teams/{team}/threads/{post}/following' },
  { method: 'DELETE', path: '/users/{me}/teams/{team}/threads/{post}/following' },
  { method: 'PUT', path: '/users/{me}/teams/{team}/threads/{post}/read/{timestamp}' },
  { method: 'PUT', path: '/users/{me}/teams/{team}/threads/read' },

  // Reactions
  { method: 'POST', path: '/reactions', body: { user_id: '{me}', post_id: '{post}', emoji_name: 'thumbsup' } },
  { method: 'GET', path: '/posts/{post}/reactions' },
  { method: 'DELETE', path: '/users/{me}/posts/{post}/reactions/{emoji}' },
  { method: 'POST', path: '/posts/ids/reactions', body: ['{post}'] },

  // Preferences
  { method: 'GET', path: '/users/{me}/preferences' },
  { method: 'GET', path: '/users/{me}/preferences/{category}' },
  { method: 'GET', path: '/users/{me}/preferences/{category}/name/{preference}' },
  { method: 'PUT', path: '/users/{me}/preferences', body: [{ user_id: '{me}', category: 'display_settings', name: 'use_military_time', value: 'true' }] },
  { method: 'POST', path: '/users/{me}/preferences/delete', body: [{ user_id: '{me}', category: 'display_settings', name: 'use_military_time', value: 'true' }] },

  // Bots
  { method: 'POST', path: '/bots', body: { username: 'fuzz-bot', display_name: 'Fuzz', description: '' } },
  { method: 'GET', path: '/bots', query: 'page=0&per_page=60&include_deleted=true' },
  { method: 'GET', path: '/bots/{bot}' },
  { method: 'PUT', path: '/bots/{bot}', body: { display_name: 'Fuzzed', description: 'd' } },
  { method: 'POST', path: '/bots/{bot}/disable' },
  { method: 'POST', path: '/bots/{bot}/enable' },
]
