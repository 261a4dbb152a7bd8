// Prisma CLI configuration. Only `prisma generate` runs here (offline, see README): migrations are
// plain SQL applied by the server itself, so no datasource URL is needed.
import { defineConfig } from 'prisma/config'

export default defineConfig({
  schema: 'prisma/schema.prisma',
})
