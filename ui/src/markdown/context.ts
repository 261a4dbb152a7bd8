/** What the Markdown renderer needs from the app around it; every field is optional. */
export interface MarkdownContext {
  /** The signed-in user's name: `@` it and the message highlights, as do `@here`, `@channel`, `@all`. */
  currentUsername?: string
  /** A click on `@username`. */
  onMention?: (username: string) => void
  /** A click on `~channel-name`. */
  onChannelLink?: (channelName: string) => void
  /** The display name of a channel the app knows (`town-square` → `Town Square`), shown after the `~`. */
  channelDisplayName?: (channelName: string) => string | undefined
  /** A click on a `#hashtag` (Mattermost runs a search for it); without it hashtags stay text. */
  onHashtag?: (hashtag: string) => void
  /** Search terms to mark: words, `prefix*` and `"quoted phrases"`, as typed in Mattermost's search box. */
  highlightTerms?: readonly string[]
  /** Show `:)`, `<3`, … as emoji, Mattermost's default; false keeps them as typed (a display setting there). */
  emoticons?: boolean
}

/** The mentions that reach everyone in a channel, highlighted for every reader. */
export const CHANNEL_WIDE_MENTIONS: readonly string[] = ['here', 'channel', 'all']
