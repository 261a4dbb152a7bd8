export { MessageBody, type PostLike } from './MessageBody.tsx'
export { isSystemPostType, systemSentence } from './system.tsx'
