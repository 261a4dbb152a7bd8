/** Proves that a database built from prisma/migrations is exactly what schema.prisma describes, on both backends. */
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { expect } from 'chai'
import { query, type Database } from '../../../core/db/index.ts'
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts'
import { BACKENDS } from '../../helpers/server.ts'

const SCHEMA_PATH = path.resolve('prisma/schema.prisma')
const IGNORED_TABLES = new Set(['bridgehead_migrations'])

interface DmmfField {
  name: string
  dbName?: string | null
  kind: string
  type: string
  isList: boolean
  isRequired: boolean
  hasDefaultValue: boolean
  default?: unknown
  nativeType?: [string, string[]] | null
}

interface DmmfIndex {
  model: string
  type: 'id' | 'unique' | 'normal' | 'fulltext'
  dbName?: string | null
  algorithm?: string
  fields: { name: string; sortOrder?: 'asc' | 'desc' }[]
}

interface Dmmf {
  datamodel: {
    models: { name: string; dbName: string | null; fields: DmmfField[] }[]
    indexes: DmmfIndex[]
  }
}

function readDmmf(schema: string): Dmmf {
  const wasm = createRequire(import.meta.url)('@prisma/prisma-schema-wasm') as { get_dmmf(params: string): string }
  return JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: schema }))) as Dmmf
}

/** The PostgreSQL type Prisma's migrate would create for a field, as format_type() prints it. */
function columnType(model: string, field: DmmfField): string {
  const where = `${model}.${field.name}`
  // A scalar list is a PostgreSQL array of the element's type.
  if (field.isList) return `${columnType(model, { ...field, isList: false })}[]`
  if (field.nativeType) {
    const [name, args] = field.nativeType
    if (name === 'VarChar') return args.length ? `character varying(${args[0]})` : 'character varying'
    if (name === 'Text') return 'text'
    throw new Error(`${where}: @db.${name} is not handled by the drift test yet`)
  }
  const types: Record<string, string> = {
    String: 'text',
    BigInt: 'bigint',
    Int: 'integer',
    Boolean: 'boolean',
    Json: 'jsonb',
    DateTime: 'timestamp(3) without time zone',
    Float: 'double precision',
    Bytes: 'bytea',
  }
  const type = types[field.type]
  if (!type) throw new Error(`${where}: type ${field.type} is not handled by the drift test yet`)
  return type
}

/** A column default as text, the way `(default)::text` prints it in the database (quoted in lines, so '' shows). */
function defaultText(model: string, field: DmmfField): string {
  const value = field.default
  // A list default prints as an array literal: [] is '{}'.
  if (Array.isArray(value)) return `{${value.map(String).join(',')}}`
  if (typeof value === 'object' && value !== null) {
    throw new Error(`${model}.${field.name}: function default ${JSON.stringify(value)} is not handled by the drift test yet`)
  }
  if (field.type === 'Json') return canonicalJson(String(value))
  return String(value)
}

function canonicalJson(text: string): string {
  return JSON.stringify(JSON.parse(text))
}

interface UnsupportedField {
  name: string
  column: string
  type: string
  optional: boolean
  generated?: string
}

/**
 * `Unsupported("…")` fields, which the DMMF leaves out, read from the schema text by model. A
 * column PostgreSQL computes carries `/// generated: <expr>` with the expression as pg_get_expr prints it.
 */
function unsupportedFields(schema: string): Map<string, UnsupportedField[]> {
  const byModel = new Map<string, UnsupportedField[]>()
  let model = ''
  for (const line of schema.split('\n')) {
    const start = /^model (\w+) \{/.exec(line)
    if (start) model = start[1]!
    const field = /^\s*(\w+)\s+Unsupported\("([^"]+)"\)(\?)?(.*)$/.exec(line)
    if (!field || !model) continue
    const rest = field[4]!
    const list = byModel.get(model) ?? []
    list.push({
      name: field[1]!,
      column: /@map\("([^"]+)"\)/.exec(rest)?.[1] ?? field[1]!,
      type: field[2]!,
      optional: field[3] === '?',
      generated: /\/\/\/\s*generated:\s*(.+?)\s*$/.exec(rest)?.[1],
    })
    byModel.set(model, list)
  }
  return byModel
}

const INDEX_METHODS: Record<string, string> = { BTree: 'btree', Gin: 'gin', Gist: 'gist', Hash: 'hash', Brin: 'brin', SpGist: 'spgist' }

function indexLine(table: string, name: string, columns: string[], kind: 'primary' | 'unique' | 'plain'): string {
  return `index ${name} on ${table} (${columns.join(', ')})${kind === 'plain' ? '' : ` ${kind}`}`
}

/** What schema.prisma says the database holds, one sorted line per table, column and index. */
function expectedSchema(schema: string): string[] {
  const dmmf = readDmmf(schema)
  const unsupported = unsupportedFields(schema)
  const lines: string[] = []
  for (const model of dmmf.datamodel.models) {
    const table = model.dbName ?? model.name
    const extraFields = unsupported.get(model.name) ?? []
    const columnOf = (fieldName: string) => {
      const field = model.fields.find((f) => f.name === fieldName)
      if (field) return field.dbName ?? field.name
      const other = extraFields.find((f) => f.name === fieldName)
      if (!other) throw new Error(`${model.name}: index names unknown field ${fieldName}`)
      return other.column
    }
    lines.push(`table ${table}`)
    for (const field of extraFields) {
      lines.push(`column ${table}.${field.column} ${field.type}${field.optional ? '' : ' not null'}${field.generated ? ` generated ${field.generated}` : ''}`)
    }
    for (const field of model.fields) {
      if (field.kind === 'object') continue
      if (field.kind !== 'scalar') throw new Error(`${model.name}.${field.name}: ${field.kind} fields are not handled by the drift test yet`)
      let line = `column ${table}.${field.dbName ?? field.name} ${columnType(model.name, field)}${field.isRequired ? ' not null' : ''}`
      if (field.hasDefaultValue) line += ` default ${JSON.stringify(defaultText(model.name, field))}`
      lines.push(line)
    }
    for (const index of dmmf.datamodel.indexes.filter((i) => i.model === model.name)) {
      const columns = index.fields.map((f) => columnOf(f.name) + (f.sortOrder === 'desc' ? ' desc' : ''))
      const bare = index.fields.map((f) => columnOf(f.name))
      const method = INDEX_METHODS[index.algorithm ?? 'BTree']
      if (!method) throw new Error(`${model.name}: index type ${index.algorithm} is not handled by the drift test yet`)
      const using = method === 'btree' ? '' : ` using ${method}`
      if (index.type === 'id') lines.push(indexLine(table, index.dbName ?? `${table}_pkey`, columns, 'primary') + using)
      else if (index.type === 'unique') lines.push(indexLine(table, index.dbName ?? `${table}_${bare.join('_')}_key`, columns, 'unique') + using)
      else if (index.type === 'normal') lines.push(indexLine(table, index.dbName ?? `${table}_${bare.join('_')}_idx`, columns, 'plain') + using)
      else throw new Error(`${model.name}: ${index.type} indexes are not handled by the drift test yet`)
    }
  }
  return lines.sort()
}

/** What the database holds, in the same line format, read from pg_catalog. */
async function actualSchema(db: Database): Promise<string[]> {
  const lines: string[] = []
  const ignored = [...IGNORED_TABLES]
  const tables = await query<{ name: string; kind: string }>(
    db,
    `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT (c.relname = ANY($1))`,
    [ignored],
  )
  for (const t of tables) lines.push(t.kind === 'r' || t.kind === 'p' ? `table ${t.name}` : `relation ${t.name} of kind ${t.kind}`)

  const columns = await query<{ table: string; name: string; type: string; not_null: boolean; default_expr: string | null; extra: string }>(
    db,
    `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
            pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity::text || a.attgenerated::text AS extra
     FROM pg_attribute a
     JOIN pg_class c ON c.oid = a.attrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND NOT (c.relname = ANY($1))`,
    [ignored],
  )
  for (const column of columns) {
    let line = `column ${column.table}.${column.name} ${column.type}${column.not_null ? ' not null' : ''}`
    if (column.extra === 's') {
      // A stored generated column: its "default" is the expression, which cannot be evaluated alone.
      line += ` generated ${column.default_expr}`
    } else if (column.default_expr !== null) {
      // Evaluated rather than compared as text: '{}'::jsonb and '{}' are the same default.
      const [value] = await query<{ v: string }>(db, `SELECT (${column.default_expr})::text AS v`)
      line += ` default ${JSON.stringify(column.type === 'jsonb' ? canonicalJson(value!.v) : value!.v)}`
    }
    if (column.extra && column.extra !== 's') line += ` identity/generated ${column.extra}`
    lines.push(line)
  }

  const indexes = await query<{ table: string; name: string; primary: boolean; unique: boolean; method: string; columns: string[]; partial: boolean }>(
    db,
    `SELECT t.relname AS table, i.relname AS name, x.indisprimary AS primary, x.indisunique AS unique, am.amname AS method,
            x.indpred IS NOT NULL AS partial,
            ARRAY(
              SELECT COALESCE(a.attname, 'expression') || CASE WHEN (x.indoption[k.ord - 1] & 1) = 1 THEN ' desc' ELSE '' END
              FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
              LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
              ORDER BY k.ord
            ) AS columns
     FROM pg_index x
     JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     JOIN pg_am am ON am.oid = i.relam
     WHERE n.nspname = 'public' AND NOT (t.relname = ANY($1))`,
    [ignored],
  )
  for (const index of indexes) {
    let line = indexLine(index.table, index.name, index.columns, index.primary ? 'primary' : index.unique ? 'unique' : 'plain')
    if (index.method !== 'btree') line += ` using ${index.method}`
    if (index.partial) line += ' partial'
    lines.push(line)
  }

  // Prisma models uniques as indexes and declares no relations here, so any other constraint
  // (unique, foreign key, check, exclusion) is drift. PostgreSQL 18 also lists NOT NULL ('n').
  const constraints = await query<{ table: string; name: string; type: string }>(
    db,
    `SELECT t.relname AS table, c.conname AS name, c.contype AS type FROM pg_constraint c
     JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = 'public' AND c.contype NOT IN ('p', 'n') AND NOT (t.relname = ANY($1))`,
    [ignored],
  )
  for (const c of constraints) lines.push(`constraint ${c.name} on ${c.table} of type ${c.type}`)
  return lines.sort()
}

/** Lines on one side only, for readable failure messages. */
function drift(expected: string[], actual: string[]): { onlyInSchema: string[]; onlyInDatabase: string[] } {
  return {
    onlyInSchema: expected.filter((line) => !actual.includes(line)),
    onlyInDatabase: actual.filter((line) => !expected.includes(line)),
  }
}

for (const kind of BACKENDS) {
  describe(`schema drift on ${kind === 'pglite' ? 'PGlite' : 'PostgreSQL'}`, function () {
    this.timeout(60_000)
    const schema = fs.readFileSync(SCHEMA_PATH, 'utf8')
    let test: TestDatabase

    before(async () => {
      test = await createTestDatabase(kind)
    })

    after(async () => {
      await test?.cleanup()
    })

    it('a database built from prisma/migrations matches schema.prisma exactly', async () => {
      const expected = expectedSchema(schema)
      expect(expected.filter((l) => l.startsWith('table '))).to.have.length.greaterThan(10)
      expect(drift(expected, await actualSchema(test.db))).to.deep.equal({ onlyInSchema: [], onlyInDatabase: [] })
    })

    // The cases below prove the comparison can fail; each undoes its change.
    it('reports a column or index added to the database only', async () => {
      await query(test.db, 'ALTER TABLE teams ADD COLUMN scheme_id varchar(26)')
      await query(test.db, 'CREATE INDEX posts_type_idx ON posts (type)')
      try {
        expect(drift(expectedSchema(schema), await actualSchema(test.db))).to.deep.equal({
          onlyInSchema: [],
          onlyInDatabase: ['column teams.scheme_id character varying(26)', 'index posts_type_idx on posts (type)'],
        })
      } finally {
        await query(test.db, 'DROP INDEX posts_type_idx')
        await query(test.db, 'ALTER TABLE teams DROP COLUMN scheme_id')
      }
    })

    it('reports a field or index added to schema.prisma only', async () => {
      const changed = schema
        .replace(/(model Team \{\n)/, '$1  schemeId String? @map("scheme_id") @db.VarChar(26)\n')
        .replace(/(\n  @@map\("posts"\))/, '\n  @@index([type])$1')
      expect(changed).to.not.equal(schema)
      expect(drift(expectedSchema(changed), await actualSchema(test.db))).to.deep.equal({
        onlyInSchema: ['column teams.scheme_id character varying(26)', 'index posts_type_idx on posts (type)'],
        onlyInDatabase: [],
      })
    })

    it('reports a generated column whose expression or index method differs from schema.prisma', async () => {
      const changed = schema.replace("to_tsvector('simple'::regconfig", "to_tsvector('english'::regconfig").replace('@@index([messageTsv], type: Gin)', '@@index([messageTsv], type: Gist)')
      expect(changed).to.not.equal(schema)
      expect(drift(expectedSchema(changed), await actualSchema(test.db))).to.deep.equal({
        onlyInSchema: [
          "column posts.message_tsv tsvector generated to_tsvector('english'::regconfig, (message)::text)",
          'index posts_message_tsv_idx on posts (message_tsv) using gist',
        ],
        onlyInDatabase: [
          "column posts.message_tsv tsvector generated to_tsvector('simple'::regconfig, (message)::text)",
          'index posts_message_tsv_idx on posts (message_tsv) using gin',
        ],
      })
    })

    it('reports a changed length, nullability, default or index column order', async () => {
      await query(test.db, 'ALTER TABLE users ALTER COLUMN nickname TYPE varchar(65)')
      await query(test.db, 'ALTER TABLE users ALTER COLUMN auth_data SET NOT NULL')
      await query(test.db, `ALTER TABLE users ALTER COLUMN locale SET DEFAULT 'fr'`)
      await query(test.db, 'DROP INDEX posts_channel_id_create_at_idx')
      await query(test.db, 'CREATE INDEX posts_channel_id_create_at_idx ON posts (create_at, channel_id)')
      try {
        const found = drift(expectedSchema(schema), await actualSchema(test.db))
        expect(found.onlyInDatabase).to.deep.equal([
          'column users.auth_data character varying(128) not null',
          'column users.locale character varying(5) not null default "fr"',
          'column users.nickname character varying(65) not null default ""',
          'index posts_channel_id_create_at_idx on posts (create_at, channel_id)',
        ])
        expect(found.onlyInSchema).to.have.length(4)
      } finally {
        await query(test.db, 'DROP INDEX posts_channel_id_create_at_idx')
        await query(test.db, 'CREATE INDEX posts_channel_id_create_at_idx ON posts (channel_id, create_at)')
        await query(test.db, `ALTER TABLE users ALTER COLUMN locale SET DEFAULT 'en'`)
        await query(test.db, 'ALTER TABLE users ALTER COLUMN auth_data DROP NOT NULL')
        await query(test.db, 'ALTER TABLE users ALTER COLUMN nickname TYPE varchar(64)')
      }
    })
  })
}
