// The published JSON Schema: generated from the TypeBox definition, and what lint checks shape with.
import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { formatDiagnostic, loadPlaybook } from '../../../playbooks/dsl/index.ts'
import { publishedSchemaText } from '../../../playbooks/schema/publish.ts'

const SCHEMA_FILE = path.resolve(import.meta.dirname, '../../../playbooks/schema/playbook.schema.json')

const minimal = (extra = '') => `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: tiny, version: 1 }
on:
  command: { name: /tiny }
steps:
  - id: hello
    message: { to: "#town-square", text: hi }
${extra}`

const lint = (text: string) => loadPlaybook('p.yaml', text).diagnostics.map(formatDiagnostic)

describe('playbook JSON Schema', () => {
  it('is the file generated from the TypeBox definition (run playbooks/schema/generate.ts after a change)', () => {
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).to.equal(publishedSchemaText())
  })

  it('is a valid draft 2020-12 schema that accepts a minimal playbook', () => {
    const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')))
    expect(validate({ apiVersion: 'bridgehead/v1', kind: 'Playbook', metadata: { name: 'x', version: 1 }, on: { manual: {} }, steps: [{ uses: 'run.finish@v1' }] })).to.equal(true)
  })

  it('accepts a minimal playbook without findings', () => {
    expect(lint(minimal())).to.deep.equal([])
  })

  it('reports an unknown key at the key, with its path', () => {
    expect(lint(minimal('    colour: blue\n'))).to.deep.equal(['p.yaml:9:5: steps[0].colour: unknown key'])
  })

  it('suggests the known key closest to a misspelt one', () => {
    expect(lint(minimal('    mesage: oops\n'))).to.deep.equal(['p.yaml:9:5: steps[0].mesage: unknown key (did you mean message?)'])
  })

  it('reports a missing required key at its parent', () => {
    expect(lint(minimal().replace('metadata: { name: tiny, version: 1 }', 'metadata: { name: tiny }'))).to.deep.equal(['p.yaml:3:11: metadata.version: required'])
  })

  it('lists the allowed values of an enumeration', () => {
    expect(lint(minimal('    retry: { max: 2, backoff: linear }\n'))).to.deep.equal([
      'p.yaml:9:31: steps[0].retry.backoff: expected one of fixed, exponential (got "linear")',
    ])
  })

  it('names the wrong type', () => {
    expect(lint(minimal().replace('version: 1', 'version: one'))).to.deep.equal(['p.yaml:3:34: metadata.version: expected integer'])
  })

  it('rejects another apiVersion', () => {
    expect(lint(minimal().replace('bridgehead/v1', 'bridgehead/v2'))).to.deep.equal(['p.yaml:1:13: apiVersion: expected "bridgehead/v1"'])
  })
})
