export { Attachment, MessageAttachments, attachmentColor, fieldRows } from './Attachment.tsx'
export { readAttachments, type AttachmentContext, type MessageAttachment, type PostAction, type PostActionOption } from './types.ts'
