/** The file store's public surface, and the one place that picks local disk or S3 from the settings. */
import path from 'node:path'
import type { Config } from '../../config/index.ts'
import { createLocalStorage } from './local-storage.ts'
import { createS3Storage } from './s3-storage.ts'
import type { FileStorage } from './storage.ts'

export { StorageNotFoundError, InvalidStorageKeyError, type FileStorage, type StoredObject } from './storage.ts'
export { createLocalStorage } from './local-storage.ts'
export { createS3Storage, type S3StorageOptions } from './s3-storage.ts'

/** S3 when `S3_BUCKET` is set, else `DATA_DIR/files`. */
export function openFileStorage(config: Config): FileStorage {
  if (config.s3Bucket) {
    return createS3Storage({
      endpoint: config.s3Endpoint,
      bucket: config.s3Bucket,
      region: config.s3Region,
      accessKeyId: config.s3AccessKeyId ?? '',
      secretAccessKey: config.s3SecretAccessKey ?? '',
      pathStyle: config.s3PathStyle,
    })
  }
  return createLocalStorage(path.join(config.dataDir, 'files'))
}
