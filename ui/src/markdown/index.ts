export { renderMarkdown } from './render.tsx'
export type { MarkdownContext } from './context.ts'
export { safeImageUrl, safeLinkUrl, type SafeUrl } from './urls.ts'
