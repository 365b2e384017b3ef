/**
 * Many connections' parameterised queries at once, the way the hub runs them (API, ingestion,
 * refresher, demo history on one pool). On the embedded engine they all go through one PGlite
 * session: each query's Parse, Bind, Execute and Sync must stay together (sql/embedded-postgres.ts).
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseUrl } from './engines.ts'

describe('concurrent parameterised queries', () => {
  const clients: pg.Client[] = []
  beforeAll(async () => {
    for (let i = 0; i < 4; i++) {
      const client = new pg.Client({ connectionString: databaseUrl() })
      await client.connect()
      clients.push(client)
    }
  })
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()))
  })

  it('answers each connection its own query, whatever the others send meanwhile', async () => {
    // One connection writes in transactions (others' queries queue up meanwhile, as behind a batch
    // of readings); the others ask with one to three parameters: an interleaved Bind fails loudly.
    const [writer, ...readers] = clients
    const asks = [
      (async () => {
        for (let i = 0; i < 30; i++) {
          await writer!.query('BEGIN')
          const { rows } = await writer!.query<{ n: number }>('SELECT count(*)::int AS n FROM generate_series(1, $1::int)', [2_000 + i])
          await writer!.query('COMMIT')
          if (rows[0]!.n !== 2_000 + i) return false
        }
        return true
      })(),
      ...readers.flatMap((client, c) => Array.from({ length: 100 }, async (_, i) => {
        const values = Array.from({ length: c + 1 }, (_, k) => i * 10 + k)
        const placeholders = values.map((_, k) => `$${k + 1}::int`).join(' + ')
        const { rows } = await client.query<{ sum: number }>(`SELECT (${placeholders})::int AS sum`, values)
        return rows[0]!.sum === values.reduce((a, v) => a + v, 0)
      })),
    ]
    const answers = await Promise.allSettled(asks)
    const failures = answers.filter((a) => a.status === 'rejected').map((a) => String((a as PromiseRejectedResult).reason))
    expect(failures.slice(0, 3)).toEqual([])
    expect(answers.every((a) => a.status === 'fulfilled' && a.value)).toBe(true)
  })

  it('answers a failing statement with its error once, and the connection goes on (a transaction, then without)', async () => {
    const [client, other] = clients
    await client!.query('CREATE TEMP TABLE IF NOT EXISTS once (id int PRIMARY KEY)')
    await client!.query('INSERT INTO once VALUES (1) ON CONFLICT DO NOTHING')
    const busy = Promise.all(Array.from({ length: 50 }, (_, i) => other!.query<{ n: number }>('SELECT $1::int + $2::int AS n', [i, 1])))
    await client!.query('BEGIN')
    await expect(client!.query('INSERT INTO once VALUES ($1)', [1])).rejects.toThrow(/duplicate key/)
    await expect(client!.query('SELECT $1::int AS n', [2])).rejects.toThrow(/current transaction is aborted/)
    await client!.query('ROLLBACK')
    await expect(client!.query('INSERT INTO once VALUES ($1)', [1])).rejects.toThrow(/duplicate key/)
    expect((await client!.query<{ n: number }>('SELECT $1::int AS n', [3])).rows).toEqual([{ n: 3 }])
    expect((await busy).map((r) => r.rows[0]!.n)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
  })
})
