/**
 * Thumbnail, preview and mini preview of uploaded images (app/file.go), with sharp. Corrupt images
 * and decompression bombs give no preview; they never throw out of here or hold a request for long.
 */
import type { Sharp } from 'sharp'

/** Images larger than this many pixels are stored without previews (Mattermost's MaxImageResolution). */
export const MAX_IMAGE_PIXELS = 33_177_600 // 7680 × 4320
const TIMEOUT_SECONDS = 10

const PREVIEWABLE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/bmp', 'image/webp', 'image/tiff'])

export interface ImageRenditions {
  width: number
  height: number
  thumbnail: Buffer
  preview: Buffer
  /** Base64 of a 16×16 JPEG. */
  miniPreview: string
}

/** Whether `mimeType` is an image the server makes previews of. */
export function isPreviewable(mimeType: string): boolean {
  return PREVIEWABLE.has(mimeType)
}

// sharp (libvips) costs ~20 MB resident once loaded: load it with the first image, not at start.
let sharpModule: Promise<typeof import('sharp')> | undefined
async function sharpLib(): Promise<typeof import('sharp')['default']> {
  sharpModule ??= import('sharp')
  return (await sharpModule).default
}

function load(sharp: (data: Uint8Array, options: object) => Sharp, data: Uint8Array) {
  // rotate() with no angle applies the EXIF orientation; flatten gives JPEG a white background.
  return sharp(data, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error', animated: false })
    .rotate()
    .flatten({ background: '#ffffff' })
    .timeout({ seconds: TIMEOUT_SECONDS })
}

/**
 * The image's oriented size and its three renditions.
 * @returns null for a corrupt, unsupported or too large image (the caller stores it without previews).
 */
export async function renderImage(data: Uint8Array, onFailure: (err: unknown) => void): Promise<ImageRenditions | null> {
  try {
    const sharp = await sharpLib()
    const meta = await sharp(data, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' }).metadata()
    if (!meta.width || !meta.height) return null
    if (meta.width * meta.height > MAX_IMAGE_PIXELS) return null
    const swapped = (meta.orientation ?? 1) >= 5
    const width = swapped ? meta.height : meta.width
    const height = swapped ? meta.width : meta.height
    const [thumbnail, preview, mini] = await Promise.all([
      load(sharp, data).resize(120, 100, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 90 }).toBuffer(),
      load(sharp, data).resize({ width: 1920, withoutEnlargement: true }).jpeg({ quality: 90 }).toBuffer(),
      load(sharp, data).resize(16, 16, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer(),
    ])
    return { width, height, thumbnail, preview, miniPreview: mini.toString('base64') }
  } catch (err) {
    onFailure(err)
    return null
  }
}
