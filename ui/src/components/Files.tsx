/** A post's files: image thumbnails that open a preview viewer, and download links for the rest. */
import { useEffect, useState } from 'preact/hooks'
import type { FileInfo } from '../api/types.ts'
import { v4 } from '../api/client.ts'

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

export function FileList(props: { files: FileInfo[] }) {
  const [viewing, setViewing] = useState<number | null>(null)
  if (props.files.length === 0) return null
  const images = props.files.filter((f) => f.mime_type.startsWith('image/') && f.has_preview_image !== false)
  return (
    <div class="files">
      {props.files.map((f) =>
        f.mime_type.startsWith('image/') && f.has_preview_image !== false ? (
          <button key={f.id} class="thumb" aria-label={`Preview ${f.name}`} onClick={() => setViewing(images.indexOf(f))}>
            <img src={v4(`/files/${f.id}/thumbnail`)} alt={f.name} loading="lazy" width={120} height={100} />
          </button>
        ) : (
          <a key={f.id} class="file" href={v4(`/files/${f.id}?download=1`)} download={f.name}>
            <span class="file-name">{f.name}</span> <span class="muted">{formatBytes(f.size)}</span>
          </a>
        ),
      )}
      {viewing !== null && images[viewing] && <Viewer files={images} index={viewing} onIndex={setViewing} onClose={() => setViewing(null)} />}
    </div>
  )
}

function Viewer(props: { files: FileInfo[]; index: number; onIndex: (i: number) => void; onClose: () => void }) {
  const file = props.files[props.index]!
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') props.onClose()
      if (e.key === 'ArrowRight' && props.index < props.files.length - 1) props.onIndex(props.index + 1)
      if (e.key === 'ArrowLeft' && props.index > 0) props.onIndex(props.index - 1)
    }
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [props.index])
  return (
    <div class="backdrop viewer" role="dialog" aria-modal="true" aria-label={`Preview of ${file.name}`} onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <figure>
        <img src={v4(`/files/${file.id}/preview`)} alt={file.name} />
        <figcaption>
          <span>{file.name}</span> <span class="muted">{formatBytes(file.size)}</span>{' '}
          <a href={v4(`/files/${file.id}?download=1`)} download={file.name}>Download</a>{' '}
          <button class="icon" aria-label="Close preview" onClick={props.onClose} autoFocus>×</button>
        </figcaption>
      </figure>
    </div>
  )
}
