/** The data-layer contract every database backend must pass (PGlite and the PostgreSQL server). */
import { expect } from 'chai'
import { isUniqueViolation, query, withSqlTransaction, withTransaction, type Database } from '../../core/db/index.ts'

export interface OpenedDatabase {
  db: Database
  cleanup(): Promise<void>
}

let sequence = 0

function makeUser(overrides: { id?: string; username?: string; email?: string } = {}) {
  const n = ++sequence
  return {
    id: overrides.id ?? `user${String(n).padStart(22, '0')}`,
    createAt: 1_700_000_000_000n,
    updateAt: 1_700_000_000_000n,
    username: overrides.username ?? `user${n}`,
    email: overrides.email ?? `user${n}@example.com`,
    notifyProps: { email: 'true', push: 'mention' },
    timezone: { useAutomaticTimezone: 'true' },
  }
}

function makeChannel(teamId: string, name: string) {
  const n = ++sequence
  return { id: `chan${String(n).padStart(22, '0')}`, createAt: 1n, updateAt: 1n, teamId, type: 'O', name }
}

async function captureError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected the operation to fail, but it succeeded')
}

/** Registers the contract's cases in the enclosing `describe`; `open` gives a fresh, migrated database. */
export function databaseSuite(open: () => Promise<OpenedDatabase>): void {
  let opened: OpenedDatabase
  let db: Database

  before(async function () {
    this.timeout(120_000)
    opened = await open()
    db = opened.db
  })

  after(async function () {
    this.timeout(30_000)
    await opened?.cleanup()
  })

  describe('Prisma models', () => {
    it('creates, reads, updates and deletes a user', async () => {
      const user = makeUser()
      await db.prisma.user.create({ data: user })

      const read = await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })
      expect(read.username).to.equal(user.username)
      expect(read.roles).to.equal('system_user')
      expect(read.deleteAt).to.equal(0n)

      await db.prisma.user.update({ where: { id: user.id }, data: { nickname: 'Ada', updateAt: 2n } })
      expect(await db.prisma.user.findUnique({ where: { id: user.id }, select: { nickname: true, updateAt: true } })).to.deep.equal({
        nickname: 'Ada',
        updateAt: 2n,
      })

      await db.prisma.user.delete({ where: { id: user.id } })
      expect(await db.prisma.user.findUnique({ where: { id: user.id } })).to.equal(null)
    })

    it('finds rows by a composite primary key', async () => {
      await db.prisma.preference.create({ data: { userId: 'u1', category: 'display_settings', name: 'use_military_time', value: 'true' } })
      const found = await db.prisma.preference.findUnique({
        where: { userId_category_name: { userId: 'u1', category: 'display_settings', name: 'use_military_time' } },
      })
      expect(found?.value).to.equal('true')
    })

    it('round-trips a BigInt beyond 2^53 exactly', async () => {
      const huge = 9_007_199_254_740_993n
      const user = { ...makeUser(), lastLogin: huge }
      await db.prisma.user.create({ data: user })
      const read = await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })
      expect(read.lastLogin).to.equal(huge)
    })

    it('round-trips nested JSON with arrays, nulls and non-ASCII text', async () => {
      const props = { attachments: [{ title: 'Déploiement 🚀', fields: [{ short: true, value: null }] }], count: 3, ok: false }
      const user = makeUser()
      await db.prisma.user.create({ data: { ...user, props } })
      const read = await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })
      expect(read.props).to.deep.equal(props)
      expect(read.notifyProps).to.deep.equal(user.notifyProps)
    })

    it('fills JSON defaults from the schema', async () => {
      await db.prisma.post.create({ data: { id: 'post0000000000000000000001', createAt: 1n, updateAt: 1n, userId: 'u', channelId: 'c' } })
      const post = await db.prisma.post.findUniqueOrThrow({ where: { id: 'post0000000000000000000001' } })
      expect(post.props).to.deep.equal({})
      expect(post.fileIds).to.deep.equal([])
    })
  })

  describe('isUniqueViolation', () => {
    it('recognises a duplicate username from Prisma and names the field', async () => {
      const first = makeUser()
      await db.prisma.user.create({ data: first })
      const err = await captureError(db.prisma.user.create({ data: makeUser({ username: first.username }) }))
      expect(isUniqueViolation(err)).to.equal(true)
      expect(isUniqueViolation(err, ['username'])).to.equal(true)
      expect(isUniqueViolation(err, ['email'])).to.equal(false)
    })

    it('matches a composite unique key only with all of its fields', async () => {
      await db.prisma.channel.create({ data: makeChannel('team1', 'town-square') })
      const err = await captureError(db.prisma.channel.create({ data: makeChannel('team1', 'town-square') }))
      expect(isUniqueViolation(err, ['teamId', 'name'])).to.equal(true)
      expect(isUniqueViolation(err, ['name'])).to.equal(false)
    })

    it('recognises a duplicate from raw SQL (23505)', async () => {
      const first = makeUser()
      await db.prisma.user.create({ data: first })
      const err = await captureError(
        query(db, `INSERT INTO users (id, create_at, update_at, username, email, notify_props, timezone) VALUES ($1, 1, 1, $2, $3, '{}', '{}')`, [
          'raw0000000000000000000001',
          'someone-new',
          first.email,
        ]),
      )
      expect(isUniqueViolation(err, ['email'])).to.equal(true)
      expect(isUniqueViolation(err, ['username'])).to.equal(false)
    })

    it('looks through wrapped errors but not at other failures', async () => {
      const first = makeUser()
      await db.prisma.user.create({ data: first })
      const duplicate = await captureError(db.prisma.user.create({ data: makeUser({ email: first.email }) }))
      expect(isUniqueViolation(new Error('creating user failed', { cause: duplicate }), ['email'])).to.equal(true)

      const notNull = await captureError(query(db, 'INSERT INTO systems (name, value) VALUES ($1, NULL)', ['x']))
      expect(isUniqueViolation(notNull)).to.equal(false)
    })

    it('leaves the database usable after a constraint error', async () => {
      const first = makeUser()
      await db.prisma.user.create({ data: first })
      await captureError(db.prisma.user.create({ data: makeUser({ username: first.username }) }))
      expect(await db.prisma.user.count({ where: { username: first.username } })).to.equal(1)
    })
  })

  describe('withTransaction', () => {
    it('commits every write when the function resolves', async () => {
      const [a, b] = [makeUser(), makeUser()]
      const result = await withTransaction(db, async (tx) => {
        await tx.user.create({ data: a })
        await tx.user.create({ data: b })
        return 'done'
      })
      expect(result).to.equal('done')
      expect(await db.prisma.user.count({ where: { id: { in: [a.id, b.id] } } })).to.equal(2)
    })

    it('rolls back every write when the function throws, and rethrows', async () => {
      const user = makeUser()
      const err = await captureError(
        withTransaction(db, async (tx) => {
          await tx.user.create({ data: user })
          await tx.systemValue.create({ data: { name: 'rollback-probe', value: '1' } })
          throw new Error('boom')
        }),
      )
      expect((err as Error).message).to.equal('boom')
      expect(await db.prisma.user.findUnique({ where: { id: user.id } })).to.equal(null)
      expect(await db.prisma.systemValue.findUnique({ where: { name: 'rollback-probe' } })).to.equal(null)
    })

    it('serializes concurrent read-modify-write transactions on one row', async () => {
      await db.prisma.systemValue.create({ data: { name: 'counter', value: '0' } })
      const workers = 12
      await Promise.all(
        Array.from({ length: workers }, () =>
          withTransaction(db, async (tx) => {
            const [row] = await tx.$queryRaw<{ value: string }[]>`SELECT value FROM systems WHERE name = 'counter' FOR UPDATE`
            // Yield between read and write so unserialized transactions would interleave here.
            await new Promise((resolve) => setTimeout(resolve, 5))
            await tx.systemValue.update({ where: { name: 'counter' }, data: { value: String(Number(row!.value) + 1) } })
          }),
        ),
      )
      const counter = await db.prisma.systemValue.findUniqueOrThrow({ where: { name: 'counter' } })
      expect(counter.value).to.equal(String(workers))
    })
  })

  describe('withSqlTransaction', () => {
    const systemValue = async (name: string) => (await query<{ value: string }>(db, 'SELECT value FROM systems WHERE name = $1', [name]))[0]?.value

    it('commits every write when the function resolves, and reads int8 as numbers and jsonb as objects', async () => {
      const result = await withSqlTransaction(db, async (tx) => {
        await tx.$executeRawUnsafe('INSERT INTO systems (name, value) VALUES ($1, $2)', 'sql-commit-a', '1')
        const changed = await tx.$executeRawUnsafe('INSERT INTO systems (name, value) VALUES ($1, $2), ($3, $4)', 'sql-commit-b', '2', 'sql-commit-c', '3')
        const [row] = await tx.$queryRawUnsafe<{ n: unknown; j: unknown }[]>(`SELECT 9007199254740991::bigint AS n, '{"a":[1]}'::jsonb AS j`)
        return { changed, row }
      })
      expect(result).to.deep.equal({ changed: 2, row: { n: 9007199254740991, j: { a: [1] } } })
      expect([await systemValue('sql-commit-a'), await systemValue('sql-commit-c')]).to.deep.equal(['1', '3'])
    })

    it('rolls back every write when the function throws, rethrows, and leaves the connection usable', async () => {
      const err = await captureError(withSqlTransaction(db, async (tx) => {
        await tx.$executeRawUnsafe('INSERT INTO systems (name, value) VALUES ($1, $2)', 'sql-rollback', '1')
        throw new Error('boom')
      }))
      expect((err as Error).message).to.equal('boom')
      expect(await systemValue('sql-rollback')).to.equal(undefined)
      // A failed statement aborts the transaction; the connection goes back to the pool clean.
      await captureError(withSqlTransaction(db, (tx) => tx.$queryRawUnsafe('SELECT * FROM no_such_table')))
      expect(await withSqlTransaction(db, (tx) => tx.$queryRawUnsafe<{ ok: number }[]>('SELECT 1 AS ok'))).to.deep.equal([{ ok: 1 }])
    })

    it('rolls back a transaction that outlives its timeout and fails its later statements', async () => {
      const err = await captureError(withSqlTransaction(db, async (tx) => {
        await tx.$executeRawUnsafe('INSERT INTO systems (name, value) VALUES ($1, $2)', 'sql-timeout', '1')
        await new Promise((resolve) => setTimeout(resolve, 150))
        await tx.$executeRawUnsafe('INSERT INTO systems (name, value) VALUES ($1, $2)', 'sql-timeout-2', '1')
      }, { timeoutMs: 50 }))
      expect((err as Error).message).to.match(/still open after 50 ms/)
      expect(await systemValue('sql-timeout')).to.equal(undefined)
      expect(await systemValue('sql-timeout-2')).to.equal(undefined)
    })

    it('serializes concurrent read-modify-write transactions on one row', async () => {
      await query(db, `INSERT INTO systems (name, value) VALUES ('sql-counter', '0')`)
      const workers = 12
      await Promise.all(Array.from({ length: workers }, () =>
        withSqlTransaction(db, async (tx) => {
          const [row] = await tx.$queryRawUnsafe<{ value: string }[]>(`SELECT value FROM systems WHERE name = 'sql-counter' FOR UPDATE`)
          await new Promise((resolve) => setTimeout(resolve, 5))
          await tx.$executeRawUnsafe(`UPDATE systems SET value = $1 WHERE name = 'sql-counter'`, String(Number(row!.value) + 1))
        }),
      ))
      expect(await systemValue('sql-counter')).to.equal(String(workers))
    })
  })

  describe('query', () => {
    it('returns rows with bigint columns and counts as numbers', async () => {
      const user = { ...makeUser(), lastLogin: 1_700_000_000_123n }
      await db.prisma.user.create({ data: user })
      const rows = await query<{ last_login: number; n: number; ids: number[] }>(
        db,
        'SELECT last_login, (SELECT count(*) FROM users) AS n, ARRAY[1::int8, 2::int8] AS ids FROM users WHERE id = $1',
        [user.id],
      )
      expect(rows).to.have.length(1)
      expect(rows[0]!.last_login).to.equal(1_700_000_000_123)
      expect(rows[0]!.n).to.be.a('number').greaterThan(0)
      expect(rows[0]!.ids).to.deep.equal([1, 2])
    })

    it('refuses an int8 that a JavaScript number cannot hold', async () => {
      const err = await captureError(query(db, 'SELECT 9007199254740993::int8 AS v'))
      expect(err).to.be.instanceOf(RangeError)
    })

    it('does not change how Prisma reads BigInt columns', async () => {
      await query(db, 'SELECT 1::int8 AS warm')
      const user = makeUser()
      await db.prisma.user.create({ data: user })
      const read = await db.prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: { createAt: true } })
      expect(read.createAt).to.equal(user.createAt)
      const raw = await db.prisma.$queryRaw<{ v: bigint }[]>`SELECT 5::int8 AS v`
      expect(raw[0]!.v).to.equal(5n)
    })
  })
}
