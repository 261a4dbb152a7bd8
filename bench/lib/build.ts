/**
 * Bundles the bench's child processes with esbuild (like `npm run build` bundles the server), so they
 * run on plain `node` without tsx: under `--import tsx` a loader worker thread with its own V8 heap
 * lives in every process, and its RSS (tens of MB, shrinking ~15 s after start) would blur the
 * memory figures and its compile time the CPU figures. Falls back to tsx when esbuild is missing.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(HERE, '..', '..')
const CHILDREN = ['server-child', 'floor-child', 'clients-child'] as const
export type ChildName = (typeof CHILDREN)[number]

export interface ChildScripts {
  bundled: boolean
  script(name: ChildName): string
  execArgv(extra?: string[]): string[]
  /** Removes the bundle directory. */
  remove(): void
}

/** `bundle: false` runs the sources through tsx (profiles then name source files instead of one bundle). */
export async function buildChildren(bundle = true): Promise<ChildScripts> {
  const fromSources: ChildScripts = {
    bundled: false,
    script: (name) => path.join(HERE, `${name}.ts`),
    execArgv: (extra = []) => [...extra, '--import', 'tsx'],
    remove: () => undefined,
  }
  if (!bundle) return fromSources
  // Two levels below the root, like build/server/: core/db/migrate.ts finds ../../prisma/migrations from the bundle.
  const outdir = path.join(ROOT, 'bench', `.build-${process.pid}`)
  try {
    const esbuild = await import('esbuild')
    await esbuild.build({
      // pglite-initdb sits next to the bundles: openDatabase looks for ./pglite-initdb.mjs beside itself when bundled.
      entryPoints: [...CHILDREN.map((n) => path.join(HERE, `${n}.ts`)), path.join(ROOT, 'core', 'db', 'pglite-initdb.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      entryNames: '[name]',
      outExtension: { '.js': '.mjs' },
      outdir,
      logLevel: 'warning',
    })
    return {
      bundled: true,
      script: (name) => path.join(outdir, `${name}.mjs`),
      execArgv: (extra = []) => [...extra],
      remove: () => fs.rmSync(outdir, { recursive: true, force: true }),
    }
  } catch (err) {
    fs.rmSync(outdir, { recursive: true, force: true })
    console.error(`bench: cannot bundle the child processes (${(err as Error).message.split('\n')[0]}); running them through tsx`)
    return fromSources
  }
}
