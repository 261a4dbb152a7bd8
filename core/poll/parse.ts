/** Reading `/poll "Question" "Option 1" "Option 2" --anonymous --progress --multi` the way Matterpoll does (utils.ParseInput). */

export interface PollSettings {
  /** Voters are never shown, not even in the results. */
  anonymous: boolean
  /** Counts are shown on the buttons while the poll is open. */
  progress: boolean
  /** A voter may choose several options. */
  multi: boolean
}

export interface ParsedPoll {
  question: string
  options: string[]
  settings: PollSettings
}

// Phones and word processors turn " into typographic quotes; Matterpoll's users paste those too.
const TYPOGRAPHIC_QUOTES = /[\u201C\u201D\u201E\u201F\u2033\u2036]/g

/**
 * Splits the text after `/poll`: the question and options are quoted and separated by `" "`,
 * settings (`--name`) follow the last quote, `\"` is a quote inside a text. Without options the
 * poll is Yes / No, as in Matterpoll.
 * @returns the poll, or the message to show the user when the input is not one.
 */
export function parsePoll(input: string): ParsedPoll | { error: string } {
  const text = input.replace(TYPOGRAPHIC_QUOTES, '"').trim().replace(/^"+/, '')
  const parts = text.split('" "')
  const last = parts[parts.length - 1]!.split('"')
  parts[parts.length - 1] = last[0]!
  const settingWords = last.length === 2 && last[1] !== '' ? last[1]!.trim().replace(/^--/, '').split('--').map((s) => s.trim()) : []
  const unescape = (s: string) => s.replaceAll('\\"', '"').trim()
  const question = unescape(parts[0]!)
  if (question === '') return { error: 'Please provide a question: `/poll "Question" "Option 1" "Option 2"`.' }
  const settings: PollSettings = { anonymous: false, progress: false, multi: false }
  for (const word of settingWords) {
    if (word === 'anonymous' || word === 'progress' || word === 'multi') settings[word] = true
    else return { error: `Unrecognized poll setting: ${word}` }
  }
  const options = parts.length > 1 ? parts.slice(1).map(unescape) : ['Yes', 'No']
  const seen = new Set<string>()
  for (const option of options) {
    if (option === '') return { error: 'Empty option not allowed' }
    if (seen.has(option)) return { error: `Duplicate option: ${option}` }
    seen.add(option)
  }
  return { question, options, settings }
}
