/**
 * A real PostgreSQL 15 server for tests: the Debian package's binaries (installed by `.ci/run`),
 * initialised like the official image does it (a superuser named by POSTGRES_USER with a password,
 * scram-sha-256 over TCP), listening on a free loopback port with its socket in a temp folder.
 * initdb refuses to run as root: as root, the server commands run as the `postgres` system user
 * the Debian package creates, on folders it owns.
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
const IS_ROOT = process.getuid?.() === 0;

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Runs SQL through psql as the superuser; returns unaligned, tuples-only output. Throws on error. */
  sql(database: string, text: string): string;
  /** Environment for client programs (psql, pg_dump) of the test itself. */
  clientEnv(): NodeJS.ProcessEnv;
  stop(): void;
}

/** A TCP port free on the loopback address right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; asServerUser?: boolean } = {}): SpawnSyncReturns<string> {
  const [file, argv] = opts.asServerUser && IS_ROOT ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  return spawnSync(file, argv, { encoding: 'utf8', env: opts.env ?? process.env, input: opts.input, timeout: 120_000 });
}

function check(result: SpawnSyncReturns<string>, what: string): string {
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${what} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Fails with a message naming the fix when the PostgreSQL 15 server binaries are missing. */
export function requirePostgres15(): void {
  const missing = ['initdb', 'pg_ctl', 'postgres', 'psql', 'pg_dump', 'pg_restore'].filter((b) => !fs.existsSync(path.join(PG_BIN, b)));
  if (missing.length > 0) {
    throw new Error(`PostgreSQL 15 is not installed: ${missing.join(', ')} missing in ${PG_BIN}. `
      + 'Install the Debian package: apt-get install -y --no-install-recommends postgresql (bash .ci/run does it).');
  }
  if (IS_ROOT && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    throw new Error('running as root but there is no `postgres` user to run the server (the Debian postgresql package creates it)');
  }
}

export async function startPostgres(user: string): Promise<PostgresServer> {
  requirePostgres15();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'pg15-'));
  fs.chmodSync(base, 0o755);
  const dataDir = path.join(base, 'data');
  const socketDir = path.join(base, 'socket');
  const pwFile = path.join(base, 'pwfile');
  const password = crypto.randomBytes(16).toString('hex');
  fs.mkdirSync(socketDir);
  fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (IS_ROOT) {
    const uid = Number(check(run('id', ['-u', 'postgres']), 'id -u postgres').trim());
    const gid = Number(check(run('id', ['-g', 'postgres']), 'id -g postgres').trim());
    for (const p of [base, socketDir, pwFile]) fs.chownSync(p, uid, gid);
  }
  check(run(path.join(PG_BIN, 'initdb'), [
    '-D', dataDir, '-U', user, `--pwfile=${pwFile}`, '--auth-host=scram-sha-256', '--auth-local=scram-sha-256',
    '--encoding=UTF8', '--locale=C.UTF-8',
  ], { asServerUser: true }), 'initdb');
  fs.rmSync(pwFile);
  const port = await freePort();
  check(run(path.join(PG_BIN, 'pg_ctl'), [
    '-D', dataDir, '-l', path.join(base, 'server.log'), '-w', '-t', '60',
    '-o', `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1`, 'start',
  ], { asServerUser: true }), 'pg_ctl start');

  const host = '127.0.0.1';
  const clientEnv = (): NodeJS.ProcessEnv => ({
    PATH: `${PG_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`, PGHOST: host, PGPORT: String(port), PGUSER: user, PGPASSWORD: password,
  });
  return {
    host, port, user, password, clientEnv,
    sql(database: string, text: string): string {
      return check(run(path.join(PG_BIN, 'psql'), ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', database], { env: clientEnv(), input: text }), `psql ${database}`);
    },
    stop(): void {
      run(path.join(PG_BIN, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'], { asServerUser: true });
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
