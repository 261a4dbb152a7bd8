/** Drives an import through the admin API as a client would: upload the archive, then poll its job. */
import fs from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { eventually } from '../../helpers/eventually.ts'

export interface ImportJob {
  id: string
  status: string
  data: Record<string, string>
}

/** POST /api/v4/bridges/slack/import, answered 201 with a job. */
export async function uploadExport(url: string, token: string, file: string, team: string, importToken?: string): Promise<Response> {
  return fetch(`${url}/api/v4/bridges/slack/import?team=${encodeURIComponent(team)}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/zip', ...(importToken ? { 'X-Import-Token': importToken } : {}) },
    body: await fs.readFile(file),
  })
}

/** Uploads and waits for the job to end; returns the job and its parsed report. */
export async function importThroughApi(url: string, token: string, file: string, team: string, importToken?: string): Promise<{ job: ImportJob; report: Record<string, any> }> {
  const res = await uploadExport(url, token, file, team, importToken)
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`)
  const created = (await res.json()) as ImportJob
  const job = await eventually('the import job to end', async () => {
    const r = await fetch(`${url}/api/v4/jobs/${created.id}`, { headers: { Authorization: `Bearer ${token}` } })
    const j = (await r.json()) as ImportJob
    return j.status === 'success' || j.status === 'error' ? j : undefined
  }, 60_000, 100)
  return { job, report: job.data.report ? JSON.parse(job.data.report) : {} }
}

/** A stand-in for files.slack.com: serves /F1/report.txt only with the right Bearer token, 404 for the rest. */
export async function startFileServer(token: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = []
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '')
    if (req.url?.startsWith('/F1/report.txt') && req.headers.authorization === `Bearer ${token}`) {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('report body')
    } else if (req.url?.startsWith('/F1/')) {
      res.writeHead(403).end()
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
