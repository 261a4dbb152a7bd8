/** Runs the file store's contract on local disk and on an in-process S3 server (s3rver). */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createLocalStorage, createS3Storage } from '../../../core/files/storage/index.ts'
import { fileStorageSuite } from '../../contract/file-storage.suite.ts'
import { startS3Server } from '../../helpers/s3-server.ts'

describe('file storage contract on local disk', () => {
  fileStorageSuite(async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bh-files-'))
    return { storage: createLocalStorage(path.join(dir, 'files')), cleanup: () => fs.rm(dir, { recursive: true, force: true }) }
  })
})

describe('file storage contract on an S3-compatible server', () => {
  fileStorageSuite(async () => {
    const server = await startS3Server('bridgehead-test')
    return { storage: createS3Storage(server.options), cleanup: () => server.close() }
  })
})
