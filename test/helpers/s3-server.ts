/** An in-process S3-compatible server (s3rver) with one bucket, for the file store tests on S3. */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import S3rver from 's3rver'
import type { S3StorageOptions } from '../../core/files/storage/index.ts'

export interface TestS3Server {
  /** Options that reach the bucket with createS3Storage (path-style, s3rver's fixed keys). */
  options: S3StorageOptions
  /** Stops the server and removes its directory. */
  close(): Promise<void>
}

/** Starts s3rver on an ephemeral port of 127.0.0.1 with `bucket` created. */
export async function startS3Server(bucket: string): Promise<TestS3Server> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bh-s3-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket, configs: [] }] })
  const address = await server.run()
  return {
    options: { endpoint: `http://127.0.0.1:${address.port}`, bucket, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', pathStyle: true },
    close: async () => {
      await server.close()
      await fs.rm(dir, { recursive: true, force: true })
    },
  }
}
