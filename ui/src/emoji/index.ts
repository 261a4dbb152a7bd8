export { emojiFor, searchEmoji, loadFullEmoji, isFullEmojiLoaded, onFullEmojiLoaded, allEmoji, type Emoji } from './table.ts'
export { recentEmojiNames, rememberEmoji } from './recent.ts'
export { EmojiPicker, type EmojiPickerProps } from './EmojiPicker.tsx'
