/** FileInfo → Mattermost JSON (model/file_info.go). Paths and extracted content never leave the server. */
import type { FileInfoRecord } from '../files/store.ts'

export function presentFileInfo(file: FileInfoRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: file.id,
    user_id: file.userId,
    channel_id: file.channelId,
    create_at: file.createAt,
    update_at: file.updateAt,
    delete_at: file.deleteAt,
    name: file.name,
    extension: file.extension,
    size: file.size,
    mime_type: file.mimeType,
    mini_preview: file.miniPreview,
    remote_id: '',
    archived: false,
  }
  // Mattermost tags these omitempty.
  if (file.postId) out.post_id = file.postId
  if (file.width) out.width = file.width
  if (file.height) out.height = file.height
  if (file.hasPreviewImage) out.has_preview_image = true
  return out
}
