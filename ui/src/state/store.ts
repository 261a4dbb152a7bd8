/**
 * The app's state in one object, changed only through `update`, which tells subscribers (the
 * `useAppState` hook) to re-render. Small enough that a whole-app re-render per change is cheap;
 * a library would cost bytes the budget does not need to spend.
 */
import { useEffect, useState } from 'preact/hooks'
import type { Channel, ChannelMember, Post, Team, User } from '../api/types.ts'

export type RightPanel = { kind: 'thread'; rootId: string } | { kind: 'search'; terms: string; files: boolean } | { kind: 'pinned'; channelId: string } | { kind: 'members'; channelId: string } | null

export interface ChannelPosts {
  /** Post ids, oldest first. */
  order: string[]
  hasOlder: boolean
  loaded: boolean
}

export interface AppState {
  me: User | null
  booted: boolean
  teams: Team[]
  teamId: string
  /** The channel on screen; its new posts are read as they arrive. */
  currentChannelId: string
  channels: Record<string, Channel>
  members: Record<string, ChannelMember>
  users: Record<string, User>
  statuses: Record<string, string>
  posts: Record<string, Post>
  channelPosts: Record<string, ChannelPosts>
  /** Reply ids per root, oldest first. */
  replies: Record<string, string[]>
  /** channel id (or root id for a thread) → user id → when the typing notice expires. */
  typing: Record<string, Record<string, number>>
  /** The member's last_viewed_at when the channel was opened: posts after it are "new". */
  newSince: Record<string, number>
  rightPanel: RightPanel
  connection: 'connecting' | 'online' | 'offline'
  /** Unread followed threads in the team, from GET …/threads. */
  unreadThreads: number
  /** Bumped when any followed thread changes, so the threads view reloads. */
  threadsVersion: number
  switcherOpen: boolean
  /** The post being edited in place ('' for none). */
  editing: string
  /** A post to scroll to and flash (jump from search or a permalink). */
  highlight: string
  notice: string
}

export const state: AppState = {
  me: null,
  booted: false,
  teams: [],
  teamId: '',
  currentChannelId: '',
  channels: {},
  members: {},
  users: {},
  statuses: {},
  posts: {},
  channelPosts: {},
  replies: {},
  typing: {},
  newSince: {},
  rightPanel: null,
  connection: 'connecting',
  unreadThreads: 0,
  threadsVersion: 0,
  switcherOpen: false,
  editing: '',
  highlight: '',
  notice: '',
}

const listeners = new Set<() => void>()
let scheduled = false

/** Applies a change and re-renders once per frame however many changes arrive. */
export function update(change: (s: AppState) => void): void {
  change(state)
  if (scheduled) return
  scheduled = true
  queueMicrotask(() => {
    scheduled = false
    for (const listener of listeners) listener()
  })
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Re-renders the calling component on every state change. */
export function useAppState(): AppState {
  const [, setTick] = useState(0)
  useEffect(() => subscribe(() => setTick((t) => t + 1)), [])
  return state
}
