/** Rewrites playbook.schema.json from the TypeBox definition: `npx tsx playbooks/schema/generate.ts`. */
import fs from 'node:fs'
import path from 'node:path'
import { publishedSchemaText } from './publish.ts'

fs.writeFileSync(path.join(import.meta.dirname, 'playbook.schema.json'), publishedSchemaText())
