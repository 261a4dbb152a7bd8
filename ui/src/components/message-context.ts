/**
 * What the Markdown and attachment renderers need from the app: who is reading (mentions to
 * highlight), where a ~channel or #hashtag click goes, and how an interactive button reaches the
 * server (POST /api/v4/posts/{id}/actions/{action_id}, as Mattermost's webapp sends it).
 */
import { api, v4 } from '../api/client.ts'
import type { AttachmentContext } from '../attachments/index.ts'
import { navigate } from '../router.ts'
import { showNotice } from '../state/actions.ts'
import { state, update } from '../state/store.ts'

export function messageContext(terms?: readonly string[]): AttachmentContext {
  const team = state.teams.find((t) => t.id === state.teamId)
  const byName = (name: string) => Object.values(state.channels).find((c) => c.name === name && (c.team_id === state.teamId || c.team_id === ''))
  return {
    currentUsername: state.me?.username,
    highlightTerms: terms,
    channelDisplayName: (name) => byName(name)?.display_name,
    onChannelLink: (name) => team && navigate(`/${team.name}/channels/${encodeURIComponent(name)}`),
    onHashtag: (tag) => update((s) => (s.rightPanel = { kind: 'search', terms: `#${tag}`, files: false })),
    onAction: (postId, actionId, selectedOption, cookie) => {
      api.post(v4(`/posts/${postId}/actions/${encodeURIComponent(actionId)}`), { selected_option: selectedOption ?? '', cookie: cookie ?? '' }).catch((err: Error) => showNotice(err.message))
    },
    actionOptions: (source) =>
      source === 'users'
        ? Object.values(state.users).map((u) => ({ text: u.username, value: u.id }))
        : Object.values(state.channels).filter((c) => c.type === 'O' || c.type === 'P').map((c) => ({ text: c.display_name, value: c.id })),
  }
}
