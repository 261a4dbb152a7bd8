/** Finds @-mentions and #hashtags in a message, skipping code, as Mattermost's `GetExplicitMentions`. */

export interface Mentions {
  /** Lower-cased usernames mentioned with `@name`. */
  usernames: Set<string>
  /** `@channel` or `@all`. */
  channel: boolean
  /** `@here`. */
  here: boolean
}

/** Removes fenced blocks and inline code so that mentions inside code do not notify. */
function stripCode(message: string): string {
  return message.replace(/```[\s\S]*?(```|$)/g, ' ').replace(/`[^`\n]*`/g, ' ')
}

export function parseMentions(message: string): Mentions {
  const text = stripCode(message)
  const usernames = new Set<string>()
  let channel = false
  let here = false
  for (const match of text.matchAll(/(?:^|[^\w@])@([a-z0-9.\-_]+)/gi)) {
    // A trailing dot or dash is punctuation ("thanks @bob."), not part of the name.
    const name = match[1]!.toLowerCase().replace(/[.\-_]+$/, '')
    if (name === 'channel' || name === 'all') channel = true
    else if (name === 'here') here = true
    else if (name) usernames.add(name)
  }
  return { usernames, channel, here }
}

/** Space-separated hashtags (`#tag`, 3+ chars, starting with a letter), as stored in `post.hashtags`. */
export function parseHashtags(message: string): string {
  const tags = new Set<string>()
  for (const match of stripCode(message).matchAll(/(?:^|[\s(])(#[A-Za-z][A-Za-z0-9_\-.]*[A-Za-z0-9_])/g)) {
    const tag = match[1]!
    if (tag.length >= 4) tags.add(tag)
  }
  return [...tags].join(' ').slice(0, 1000)
}
