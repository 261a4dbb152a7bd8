/**
 * Builds the web app into ui/dist: one minified ES module entry plus lazy chunks (code splitting),
 * every asset named by its content hash so the server can cache it forever, and an index.html
 * that loads the entry. Run by `npm run build`, so a fresh clone's `npm ci` produces it.
 */
import * as esbuild from 'esbuild'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.dirname(fileURLToPath(import.meta.url))
const outdir = path.join(root, 'dist')

await fs.rm(outdir, { recursive: true, force: true })
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { app: 'src/main.tsx' },
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  sourcemap: false,
  target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: path.join(outdir, 'static'),
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
})

const outputs = Object.entries(result.metafile.outputs)
const entry = outputs.find(([, o]) => o.entryPoint === 'src/main.tsx')
if (!entry) throw new Error('ui build: esbuild produced no output for src/main.tsx')
const publicPath = (file) => '/' + path.relative(outdir, path.join(root, file)).split(path.sep).join('/')
const script = publicPath(entry[0])
// The entry's static imports (shared chunks) are fetched with it instead of after it is parsed.
const preloads = entry[1].imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => publicPath(i.path))
const css = entry[1].cssBundle ? publicPath(entry[1].cssBundle) : undefined

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Bridgehead</title>
<link rel="icon" href="data:,">
${css ? `<link rel="stylesheet" href="${css}">\n` : ''}${preloads.map((p) => `<link rel="modulepreload" href="${p}">\n`).join('')}<script type="module" src="${script}"></script>
</head>
<body>
<div id="app"></div>
<noscript>Bridgehead needs JavaScript.</noscript>
</body>
</html>
`
await fs.writeFile(path.join(outdir, 'index.html'), html)
