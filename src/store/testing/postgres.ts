/**
 * PostgreSQL for tests: a server is required (never skipped). `OVERSEER_TEST_PG` names an
 * admin URL (a role that may create databases); by default the role `.ci/postgres.sh` creates
 * on the local server. Each test file makes its own database and drops it afterwards; each store
 * a test opens lives in a fresh schema of it, so stores never see each other's data.
 */
import pg from 'pg';

export const TEST_PG_ADMIN_URL = process.env.OVERSEER_TEST_PG ?? 'postgres://overseer:overseer@127.0.0.1:5432/postgres';

const HOW = 'PostgreSQL tests need a server. On Debian: `apt-get install -y postgresql`, then `bash .ci/postgres.sh` (starts the cluster and creates the role overseer/overseer that tests use), or set OVERSEER_TEST_PG to an admin URL of another server.';

/** The admin URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(adminUrl: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`cannot reach PostgreSQL at ${adminUrl.replace(/:[^:@/]*@/, ':***@')}: ${(e as Error).message}. ${HOW}`);
  }
  try {
    return await f(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database for one test file or benchmark (dropped first if a crashed run left it), and how to drop it. */
export async function testDatabase(name: string, adminUrl = TEST_PG_ADMIN_URL): Promise<{ url: string; drop: () => Promise<void> }> {
  const db = `overseer_test_${name.replace(/\W/g, '_')}_${process.pid}`.toLowerCase();
  await admin(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${db}`);
  });
  return { url: withDatabase(adminUrl, db), drop: () => admin(adminUrl, async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`))) };
}

let schemas = 0;
/** A schema name not used before in this process. */
export const freshSchema = (prefix = 's') => `${prefix}_${process.pid}_${++schemas}`;
