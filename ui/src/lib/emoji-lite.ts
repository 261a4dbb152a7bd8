/**
 * The handful of emoji offered for quick reactions and shown for reaction names, until the full
 * emoji table (ui/src/emoji/) is wired in; unknown names show as :name:.
 */
export const QUICK_EMOJI: Record<string, string> = {
  '+1': '👍', '-1': '👎', smile: '😄', grinning: '😀', joy: '😂', heart: '❤️', tada: '🎉', eyes: '👀', rocket: '🚀',
  white_check_mark: '✅', x: '❌', fire: '🔥', pray: '🙏', thinking_face: '🤔', clap: '👏', wave: '👋', ok_hand: '👌',
  100: '💯', warning: '⚠️', thumbsup: '👍', thumbsdown: '👎', slightly_smiling_face: '🙂', cry: '😢', sob: '😭',
  laughing: '😆', wink: '😉', sunglasses: '😎', heavy_check_mark: '✔️', bug: '🐛', star: '⭐', coffee: '☕', muscle: '💪',
}

export function emojiChar(name: string): string {
  return QUICK_EMOJI[name] ?? `:${name}:`
}

export function searchQuickEmoji(prefix: string, limit = 8): string[] {
  const p = prefix.toLowerCase()
  return Object.keys(QUICK_EMOJI).filter((n) => n.startsWith(p)).slice(0, limit)
}
