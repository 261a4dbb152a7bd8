/**
 * Turns the TypeBox definition into the published JSON Schema document: plain JSON, draft 2020-12,
 * with the recursive step schema hoisted into `$defs` so editors resolve it without TypeBox's ids.
 * `playbook.schema.json` is this function's output; a unit test fails when the file is stale.
 */
import { PlaybookSchema } from './playbook.ts'

/** A URN, not a URL: the schema is published in the repository, not served from a site. */
export const SCHEMA_ID = 'urn:bridgehead:schema:playbook:v1'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** The JSON Schema of a playbook file, as published. */
export function publishedSchema(): { [key: string]: Json } {
  const defs: Record<string, Json> = {}
  const hoist = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(hoist)
    if (node === null || typeof node !== 'object') return node
    const { $id, ...rest } = node
    const out: { [key: string]: Json } = {}
    for (const [k, v] of Object.entries(rest)) {
      // TypeBox refers to a recursive schema by its bare $id.
      out[k] = k === '$ref' && typeof v === 'string' && !v.startsWith('#') ? `#/$defs/${v}` : hoist(v)
    }
    if (typeof $id === 'string') {
      defs[$id] = out
      return { $ref: `#/$defs/${$id}` }
    }
    return out
  }
  const body = hoist(JSON.parse(JSON.stringify(PlaybookSchema)) as Json) as { [key: string]: Json }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_ID,
    title: 'Bridgehead playbook',
    ...body,
    $defs: defs,
  }
}

/** The file's text: stable key order as built, two-space indent, final newline. */
export function publishedSchemaText(): string {
  return JSON.stringify(publishedSchema(), null, 2) + '\n'
}
