/** The Prisma client type that stores accept: the root client or an interactive transaction's. */
import type { Prisma } from './db/generated/client.ts'

export type DbClient = Prisma.TransactionClient
