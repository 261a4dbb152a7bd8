/** Runs the file store's contract on local disk and on an in-process S3 server (s3rver). */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import S3rver from 's3rver'
import { createLocalStorage, createS3Storage } from '../../../core/files/storage/index.ts'
import { fileStorageSuite } from '../../contract/file-storage.suite.ts'

describe('file storage contract on local disk', () => {
  fileStorageSuite(async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bh-files-'))
    return { storage: createLocalStorage(path.join(dir, 'files')), cleanup: () => fs.rm(dir, { recursive: true, force: true }) }
  })
})

describe('file storage contract on an S3-compatible server', () => {
  fileStorageSuite(async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bh-s3-'))
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'bridgehead-test', configs: [] }] })
    const address = await server.run()
    const storage = createS3Storage({
      endpoint: `http://127.0.0.1:${address.port}`,
      bucket: 'bridgehead-test',
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      pathStyle: true,
    })
    return {
      storage,
      cleanup: async () => {
        await server.close()
        await fs.rm(dir, { recursive: true, force: true })
      },
    }
  })
})
