#!/usr/bin/env node
// Entry point of the `bridgehead` command. Runs the bundle that `npm install` (and `npm start`,
// `npm test`) build into build/server/, which costs ~80 MB less memory than compiling the
// TypeScript sources at start; without a bundle it falls back to the sources through tsx.
import { existsSync } from 'node:fs'

const bundle = new URL('../build/server/cli.mjs', import.meta.url)
if (existsSync(bundle)) {
  await import(bundle.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../core/cli.ts')
}
