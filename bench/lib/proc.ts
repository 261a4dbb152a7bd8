/**
 * Processes: CPU and memory of any pid from /proc (so the figures are the same whether the process
 * is ours or started like `npm start`), and a small request/response channel over IPC for children.
 */
import { fork, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'

const CLK_TCK = 100

export interface ProcSample {
  /** user + system CPU seconds of every thread of the process so far. */
  cpuSec: number
  /** VmRSS, MiB. */
  rssMB: number
  /** VmHWM (peak RSS), MiB. */
  hwmMB: number
}

/** Reads /proc/<pid>/stat and /proc/<pid>/status; null when the process is gone. */
export function procSample(pid: number): ProcSample | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Fields 14 and 15 of stat (utime, stime); `fields` starts at field 3.
    const cpuSec = (Number(fields[11]) + Number(fields[12])) / CLK_TCK
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
    return { cpuSec, rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 }
  } catch {
    return null
  }
}

/**
 * Busy CPU seconds of the whole machine so far (every process: user, nice, system, irq, softirq,
 * steal), from /proc/stat; null where there is none. Beside a process's own CPU it shows what the
 * others (a PostgreSQL server) spent.
 */
export function machineBusySec(): number | null {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number)
    // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
    const busy = cpu.slice(0, 8).reduce((sum, v, i) => (i === 3 || i === 4 ? sum : sum + v), 0)
    return busy / CLK_TCK
  } catch {
    return null
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

// ---- parent side ----

interface Pending {
  resolve: (value: unknown) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

/** A forked bench child answering `call(cmd, args)` over IPC. */
export class Child {
  readonly proc: ChildProcess
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private exited = false
  stderr = ''

  constructor(
    readonly name: string,
    script: string,
    options: { execArgv?: string[]; env?: NodeJS.ProcessEnv } = {},
  ) {
    this.proc = fork(script, [], {
      execArgv: options.execArgv ?? ['--import', 'tsx'],
      env: options.env ?? process.env,
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    })
    this.proc.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-8000)
    })
    this.proc.on('message', (msg: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const p = this.pending.get(msg.id)
      if (!p) return
      this.pending.delete(msg.id)
      clearTimeout(p.timer)
      if (msg.ok) p.resolve(msg.result)
      else p.reject(new Error(`${this.name}: ${msg.error}`))
    })
    this.proc.on('exit', (code, signal) => {
      this.exited = true
      for (const p of this.pending.values()) {
        clearTimeout(p.timer)
        p.reject(new Error(`${this.name} exited (${code ?? signal}) during a call${this.stderr ? `\n${this.stderr.trim().split('\n').slice(-15).join('\n')}` : ''}`))
      }
      this.pending.clear()
    })
  }

  get pid(): number {
    return this.proc.pid!
  }

  call<T = unknown>(cmd: string, args: unknown = {}, timeoutMs = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited${this.stderr ? `\n${this.stderr.trim()}` : ''}`))
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`${this.name}: ${cmd} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer })
      this.proc.send({ id, cmd, args })
    })
  }

  sample(): ProcSample {
    return procSample(this.pid) ?? { cpuSec: NaN, rssMB: NaN, hwmMB: NaN }
  }

  /** Asks the child to exit, then kills it (only this pid) if it has not within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return
    const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()))
    try {
      this.proc.disconnect()
    } catch {
      // already disconnected
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs)
    await gone
    clearTimeout(timer)
  }
}

// ---- child side ----

export type Handlers = Record<string, (args: any) => Promise<unknown> | unknown>

/** Serves calls from the parent; exits when the parent goes away (so no child outlives a bench). */
export function serveCalls(handlers: Handlers, onExit?: () => Promise<void>): void {
  process.on('message', async (msg: { id: number; cmd: string; args: unknown }) => {
    const handler = handlers[msg.cmd]
    try {
      if (!handler) throw new Error(`unknown command ${msg.cmd}`)
      const result = await handler(msg.args)
      process.send!({ id: msg.id, ok: true, result })
    } catch (err) {
      process.send!({ id: msg.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) })
    }
  })
  process.on('disconnect', () => {
    const done = onExit ? onExit().catch(() => undefined) : Promise.resolve()
    const timer = setTimeout(() => process.exit(0), 8000)
    timer.unref()
    void done.then(() => process.exit(0))
  })
}

/** Heap and RSS of this process after forcing GC (needs --expose-gc), in bytes. */
export async function memoryAfterGc(): Promise<NodeJS.MemoryUsage & { gcForced: boolean }> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc) {
    for (let i = 0; i < 3; i++) {
      gc()
      await new Promise((resolve) => setImmediate(resolve))
    }
    await sleep(200)
    gc()
  }
  return { ...process.memoryUsage(), gcForced: gc !== undefined }
}

export interface RssBreakdown {
  /** PGlite's WebAssembly.Memory: one anonymous read-write mapping of ≥ 100 MB (128 MB initial). */
  wasmMB: number
  /** The node binary and shared libraries (file-backed pages). */
  filesMB: number
  /** brk heap of malloc. */
  brkMB: number
  /** Anonymous executable pages: V8 code space and compiled Wasm. */
  codeMB: number
  /** Other anonymous memory: V8 heap pages, malloc arenas of other threads, stacks. */
  anonMB: number
  totalMB: number
}

/** Where a process's RSS sits, from /proc/<pid>/smaps; null when unreadable. */
export function rssBreakdown(pid: number): RssBreakdown | null {
  let text: string
  try {
    text = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8')
  } catch {
    return null
  }
  const out: RssBreakdown = { wasmMB: 0, filesMB: 0, brkMB: 0, codeMB: 0, anonMB: 0, totalMB: 0 }
  let kind: keyof RssBreakdown = 'anonMB'
  let head = ''
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (m) {
      head = line
      const size = (parseInt(m[2]!, 16) - parseInt(m[1]!, 16)) / 2 ** 20
      const perms = m[3]!
      const name = m[4]!.trim()
      if (name === '[heap]') kind = 'brkMB'
      else if (name.startsWith('/')) kind = 'filesMB'
      else if (perms.includes('x')) kind = 'codeMB'
      else if (!name && perms.startsWith('rw') && size >= 100) kind = 'wasmMB'
      else kind = 'anonMB'
      continue
    }
    if (head && line.startsWith('Rss:')) {
      const mb = Number(line.split(/\s+/)[1]) / 1024
      out[kind] += mb
      out.totalMB += mb
    }
  }
  return out
}
