/** The Playbooks plugin API (/plugins/playbooks/api/v0), as the app uses it. */
import { api } from '../api/client.ts'

export const pb = (path: string) => `/plugins/playbooks/api/v0${path}`

export interface PlaybookSummary {
  id: string
  title: string
  description: string
  triggers: string[]
  problems: string[]
}

export interface ChecklistItem {
  id: string
  title: string
  state: '' | 'open' | 'closed' | 'skipped' | 'in_progress'
  hidden: boolean
  assignee_id: string
  due_date: number
  command: string
  /** Values the item needs before it can be closed (e.g. a URL to the test run). */
  requires?: { name: string; type: string; required: boolean }[]
}

export interface Run {
  id: string
  number: number
  /** When the run last changed (ms): orders a GET's answer against live updates. */
  update_at: number
  name: string
  playbook_id: string
  team_id: string
  channel_id: string
  owner_user_id: string
  current_status: string
  create_at: number
  end_at: number
  roles: Record<string, string | string[] | null>
  checklists: { id: string; title: string; items: ChecklistItem[] }[]
  retrospective: string
  retrospective_published_at: number
  retrospective_enabled: boolean
}

export interface TimelineEvent {
  id: string
  event_at: number
  event_type: string
  summary: string
  creator_user_id: string
}

export const listPlaybooks = () => api.get<{ items: PlaybookSummary[] }>(pb('/playbooks'))
export const listRuns = (teamId: string) => api.get<{ items: Run[] }>(pb(`/runs?team_id=${teamId}&per_page=50`))
export const getRun = (id: string) => api.get<Run>(pb(`/runs/${id}`))
export const getTimeline = (id: string) => api.get<TimelineEvent[]>(pb(`/runs/${id}/timeline`))
export const startRun = (playbookId: string, teamId: string, name: string) => api.post<Run>(pb('/runs'), { playbook_id: playbookId, team_id: teamId, name, inputs: name ? { title: name } : {} })
export const setItemState = (run: string, list: string, item: string, state: 'open' | 'closed' | 'skipped', values: Record<string, string> = {}) =>
  api.put<Run>(pb(`/runs/${run}/checklists/${encodeURIComponent(list)}/item/${encodeURIComponent(item)}/state`), { new_state: state, values })
export const setAssignee = (run: string, list: string, item: string, userId: string) =>
  api.put<Run>(pb(`/runs/${run}/checklists/${encodeURIComponent(list)}/item/${encodeURIComponent(item)}/assignee`), { assignee_id: userId })
export const setRole = (run: string, role: string, userId: string) => api.put<Run>(pb(`/runs/${run}/roles/${encodeURIComponent(role)}`), { user_id: userId })
export const postStatus = (run: string, message: string) => api.post(pb(`/runs/${run}/status`), { message })
export const setRunStatus = (run: string, status: string) => api.put<Run>(pb(`/runs/${run}/status`), { status })
export const saveRetro = (run: string, text: string) => api.post<Run>(pb(`/runs/${run}/retrospective`), { retrospective: text })
export const publishRetro = (run: string, text: string) => api.post<Run>(pb(`/runs/${run}/retrospective/publish`), { retrospective: text })
