/**
 * pg's in-process connections to the embedded database (core/db/embedded-connection.ts): PGlite is one backend shared by
 * every connection, so a connection's query or transaction must not let another connection's statements in, and a
 * connection that goes away must not leave its transaction open.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Duplex } from 'node:stream'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { expect } from 'chai'
import { embeddedConnections } from '../../../core/db/embedded-connection.ts'
import { createPgliteDataDir } from '../../helpers/database.ts'
import { BACKENDS } from '../../helpers/server.ts'
import { rejection } from '../../helpers/sessions.ts'

if (BACKENDS.includes('pglite')) describe('embedded database connections', function () {
  this.timeout(60_000)
  let dataDir: string
  let pglite: PGlite
  let connect: () => Duplex
  const clients: pg.Client[] = []

  before(async () => {
    dataDir = await createPgliteDataDir()
    pglite = await PGlite.create(path.join(dataDir, 'db'))
    connect = embeddedConnections(pglite)
    const setup = await client()
    await setup.query('CREATE TABLE notes (id int PRIMARY KEY, body text)')
  })

  after(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)))
    await pglite.close()
    await fs.rm(dataDir, { recursive: true, force: true })
  })

  beforeEach(async () => {
    await (await client()).query('DELETE FROM notes')
  })

  async function client(): Promise<pg.Client> {
    const c = new pg.Client({ stream: connect, user: 'postgres', database: 'postgres' })
    await c.connect()
    clients.push(c)
    return c
  }

  const count = async (c: pg.Client) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM notes')).rows[0]!.n

  it('answers queries with typed rows, as a server does', async () => {
    const c = await client()
    await c.query('INSERT INTO notes VALUES ($1, $2), ($3, $4)', [1, 'one', 2, 'two'])
    const { rows } = await c.query<{ id: number; body: string }>('SELECT id, body FROM notes ORDER BY id')
    expect(rows).to.deep.equal([{ id: 1, body: 'one' }, { id: 2, body: 'two' }])
  })

  it('lets timers run between one query and the next, as a socket does', async () => {
    const c = await client()
    let ticks = 0
    const timer = setInterval(() => ticks++, 1)
    try {
      // Answered within the same turn of the event loop, a chain of queries would hold off every timer till its end.
      for (let i = 0; i < 200; i++) await c.query('SELECT $1::int AS i', [i])
      expect(ticks).to.be.above(0)
    } finally {
      clearInterval(timer)
    }
  })

  it('keeps a second connection out of the first one\'s transaction until it commits', async () => {
    const a = await client()
    const b = await client()
    const order: string[] = []
    await a.query('BEGIN')
    await a.query('INSERT INTO notes VALUES (1, $1)', ['draft'])
    const read = count(b).then((n) => {
      order.push(`b read ${n}`)
      return n
    })
    // b's statement would run inside a's transaction if it were let in now; give it every chance to.
    await new Promise((resolve) => setTimeout(resolve, 100))
    order.push('a commits')
    await a.query('COMMIT')
    expect(await read).to.equal(1)
    expect(order).to.deep.equal(['a commits', 'b read 1'])
  })

  it('does not let a second connection\'s rollback undo the first one\'s transaction', async () => {
    const a = await client()
    const b = await client()
    await a.query('BEGIN')
    await a.query('INSERT INTO notes VALUES (1, $1)', ['kept'])
    const rolledBack = b.query('ROLLBACK')
    await a.query('INSERT INTO notes VALUES (2, $1)', ['kept too'])
    await a.query('COMMIT')
    await rolledBack
    expect(await count(b)).to.equal(2)
  })

  it('rolls back the transaction of a connection that goes away inside it, and lets the others go on', async () => {
    const a = await client()
    const b = await client()
    await a.query('BEGIN')
    await a.query('INSERT INTO notes VALUES (1, $1)', ['never committed'])
    const waiting = count(b)
    const lost = new Promise((resolve) => a.once('error', resolve))
    ;(a as unknown as { connection: { stream: Duplex } }).connection.stream.destroy()
    expect(await waiting).to.equal(0)
    expect(String(await lost)).to.match(/terminated unexpectedly/)
    await b.query('INSERT INTO notes VALUES (1, $1)', ['written after'])
    expect(await count(b)).to.equal(1)
  })

  it('leaves the connection usable after a statement fails, also inside a transaction', async () => {
    const c = await client()
    const err = await rejection(c.query('INSERT INTO nowhere VALUES (1)'))
    expect(err.code).to.equal('42P01')
    await c.query('BEGIN')
    await c.query('INSERT INTO notes VALUES (1, $1)', ['first'])
    const dup = await rejection(c.query('INSERT INTO notes VALUES (1, $1)', ['again']))
    expect(dup.code).to.equal('23505')
    await c.query('ROLLBACK')
    expect(await count(c)).to.equal(0)
  })

  it('serves a pool that replaces its connection after an error', async () => {
    const pool = new pg.Pool({ stream: connect, user: 'postgres', database: 'postgres', max: 1 })
    try {
      await pool.query('INSERT INTO notes VALUES (1, $1)', ['one'])
      const dup = await rejection(pool.query('INSERT INTO notes VALUES (1, $1)', ['one']))
      expect(dup.code).to.equal('23505')
      expect((await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM notes')).rows[0]!.n).to.equal(1)
    } finally {
      await pool.end()
    }
  })

  it('answers an SSL request with N, as a server without TLS does', async () => {
    const stream = connect()
    const request = Buffer.alloc(8)
    request.writeInt32BE(8, 0)
    request.writeInt32BE(80877103, 4)
    const answer = new Promise<Buffer>((resolve) => stream.once('data', resolve))
    stream.write(request)
    expect((await answer).toString()).to.equal('N')
    stream.destroy()
  })
})
