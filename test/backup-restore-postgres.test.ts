/**
 * Backup and restore proven on a real PostgreSQL 15 server (Debian package, see .ci/run): the EXACT
 * scripts of the committed dist/ (ConfigMap `penpot-backup-scripts`), started the way the CronJob and
 * the restore Job start them: their command, their environment, their user (runAsUser/fsGroup, via
 * setpriv when the test runs as root). Only what must differ outside a cluster is swapped: the mount
 * paths become temp folders and PGHOST/PGPORT the test's server; PGUSER/PGPASSWORD come from the
 * server's superuser as they come from the `penpot-postgres` Secret. This test never skips: without
 * the binaries it fails and says what to install.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PG_BIN, PostgresServer, startPostgres } from './support/postgres-server';

// Real processes on a shared 2-core machine: generous per-test time.
jest.setTimeout(120_000);

const REPO = path.resolve(__dirname, '..');
const ENV = 'homelab';
const SET_NAME = /^\d{8}T\d{6}Z$/;
// The postgres image's PATH (the official image appends the server's bin folder).
const IMAGE_PATH = `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PG_BIN}`;
const IS_ROOT = process.getuid?.() === 0;
// util-linux's, by absolute path: the Alpine-like PATH of the restic containers has busybox's applet of that name.
const SETPRIV = spawnSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).stdout.trim() || 'setpriv';

function docsOf(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(path.join(REPO, file), 'utf8')).map((d) => d.toJS()).filter(Boolean);
}
const penpotDocs = docsOf(`dist/${ENV}/penpot/penpot.k8s.yaml`);
const find = (docs: any[], kind: string, name: string): any => {
  const found = docs.find((d) => d.kind === kind && d.metadata?.name === name);
  if (!found) throw new Error(`dist/${ENV} has no ${kind} ${name}`);
  return found;
};
const cronJob = find(penpotDocs, 'CronJob', 'penpot-backup');
const scriptsConfigMap = find(penpotDocs, 'ConfigMap', 'penpot-backup-scripts');
const postgresService = find(penpotDocs, 'Service', 'penpot-postgres');
const restoreJob = find(docsOf(`dist/${ENV}/operations/restore-job.yaml`), 'Job', 'penpot-restore');

interface Run { status: number | null; stdout: string; stderr: string }

/** Local stand-ins for the pod's volumes, by volume name. */
interface Volumes { scripts: string; backups: string; assets: string; tmp: string; 'restic-tmp'?: string; fetched?: string }

/** The off-node repository stand-in: a local directory in place of the configured URL, and its password. */
interface Repository { dir: string; password: string }

const OFFSITE_SECRET = 'penpot-backup-offsite';
const RESTIC_IMAGE_RE = /\/restic\/restic:/;
/**
 * The restic image is Alpine: busybox sh and busybox applets, plus /usr/bin/restic. Its scripts run
 * here under busybox sh with a PATH holding only busybox applets and the real restic (Debian package).
 */
let alpinePath: string | undefined;
function alpineLikePath(): string {
  if (alpinePath) return alpinePath;
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'alpine-bin-'));
  fs.chmodSync(bin, 0o755);
  const busybox = spawnSync('busybox', ['--list'], { encoding: 'utf8' });
  if (busybox.error) throw new Error(`busybox is not installed (apt-get install busybox; scripts/install-system-packages.sh does): ${busybox.error.message}`);
  const real = spawnSync('sh', ['-c', 'command -v busybox; command -v restic'], { encoding: 'utf8' }).stdout.trim().split('\n');
  if (real.length < 2) throw new Error('restic is not installed (apt-get install restic; scripts/install-system-packages.sh does)');
  for (const applet of busybox.stdout.split('\n').filter(Boolean)) fs.symlinkSync(real[0], path.join(bin, applet));
  fs.symlinkSync(real[1], path.join(bin, 'restic'));
  alpinePath = bin;
  return bin;
}

/**
 * Runs one container of a pod spec (by name, init containers included) as the cluster would: its
 * command with mount paths mapped to local folders, its env with the Secret values and the server's
 * address, its UID/GID/fsGroup. The restic containers' repository URL is swapped for a local directory.
 */
function runContainer(podSpec: any, name: string, volumes: Volumes, pg: PostgresServer, extraEnv: Record<string, string> = {}, port = pg.port, repo?: Repository): Run {
  const c = [...(podSpec.initContainers ?? []), ...podSpec.containers].find((x: any) => x.name === name);
  if (!c) throw new Error(`the pod has no container ${name}`);
  const restic = RESTIC_IMAGE_RE.test(c.image);
  const mounts = new Map<string, string>(c.volumeMounts.map((m: any) => [m.mountPath, (volumes as any)[m.name]]));
  for (const [mountPath, local] of mounts) if (!local) throw new Error(`no local folder for the volume mounted at ${mountPath}`);
  const mapPath = (value: string): string => {
    for (const [mountPath, local] of mounts) {
      if (value === mountPath) return local;
      if (value.startsWith(`${mountPath}/`)) return local + value.slice(mountPath.length);
    }
    return value;
  };
  const env: Record<string, string> = { PATH: restic ? alpineLikePath() : IMAGE_PATH, HOME: '/' };
  for (const e of c.env) {
    if (e.valueFrom) {
      const ref = e.valueFrom.secretKeyRef;
      if (ref?.name === OFFSITE_SECRET) {
        if (!repo) throw new Error(`container ${name} reads the repository Secret but the test gave no repository`);
        // The REST credentials are not used by a local directory repository.
        env[e.name] = ref.key === 'RESTIC_PASSWORD' ? repo.password : `unused-${ref.key}`;
        continue;
      }
      expect(ref?.name).toBe('penpot-postgres');
      env[e.name] = ref.key === 'POSTGRES_USER' ? pg.user : ref.key === 'POSTGRES_PASSWORD' ? pg.password : `<unknown key ${ref.key}>`;
    } else if (e.name === 'PGHOST') {
      expect(e.value).toBe(postgresService.metadata.name);
      env.PGHOST = pg.host;
    } else if (e.name === 'PGPORT') {
      expect(Number(e.value)).toBe(postgresService.spec.ports[0].port);
      env.PGPORT = String(port);
    } else if (e.name === 'RESTIC_REPOSITORY') {
      if (!repo) throw new Error(`container ${name} needs a repository`);
      env.RESTIC_REPOSITORY = repo.dir;
    } else {
      env[e.name] = mapPath(e.value);
    }
  }
  Object.assign(env, extraEnv);
  let [cmd, ...args] = c.command.map(mapPath);
  if (restic && cmd === 'sh') cmd = path.join(alpineLikePath(), 'sh');
  const sc = podSpec.securityContext;
  const [file, argv] = IS_ROOT
    ? [SETPRIV, [`--reuid=${sc.runAsUser}`, `--regid=${sc.runAsGroup}`, `--groups=${sc.fsGroup}`, cmd, ...args]]
    : [cmd, args];
  const r = spawnSync(file, argv, { cwd: '/', env, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A pod's containers in the kubelet's order: init containers one by one, then the main one; the first failure stops it. */
function runPod(podSpec: any, volumes: Volumes, pg: PostgresServer, extraEnv: Record<string, string>, repo: Repository): Run & { ran: string[] } {
  const ran: string[] = [];
  let out = '';
  let err = '';
  for (const c of [...(podSpec.initContainers ?? []), ...podSpec.containers]) {
    const r = runContainer(podSpec, c.name, volumes, pg, extraEnv, pg.port, repo);
    ran.push(c.name);
    out += r.stdout;
    err += r.stderr;
    if (r.status !== 0) return { status: r.status, stdout: out, stderr: err, ran };
  }
  return { status: 0, stdout: out, stderr: err, ran };
}

const backupPod = cronJob.spec.jobTemplate.spec.template.spec;
const restorePod = restoreJob.spec.template.spec;
/** The container running backup.sh: the pod's only one, or its init container when sets go off the node. */
const backupContainer = [...(backupPod.initContainers ?? []), ...backupPod.containers].find((c: any) => c.name === 'backup');
const RETENTION = Number(backupContainer.env.find((e: any) => e.name === 'BACKUP_RETENTION').value);
const DATABASE = backupContainer.env.find((e: any) => e.name === 'PGDATABASE').value;

// Tables shaped like Penpot's (uuid-ossp/pgcrypto defaults, a plpgsql trigger, foreign keys) with
// every type that matters for a faithful copy: uuid, text with quotes/backslashes/newlines/non-ASCII,
// jsonb, boolean, bytea with NUL bytes, text[], bigserial, inet, numeric, timestamps with and without zone.
const SCHEMA_AND_DATA = String.raw`
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE FUNCTION update_modified_at() RETURNS TRIGGER AS $updt$
  BEGIN NEW.modified_at := clock_timestamp(); RETURN NEW; END;
$updt$ LANGUAGE plpgsql;
CREATE TABLE profile (
  id uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  email text NOT NULL UNIQUE,
  fullname text NOT NULL,
  props jsonb NOT NULL DEFAULT '{}'::jsonb,
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TRIGGER profile__modified_at__tgr BEFORE UPDATE ON profile FOR EACH ROW EXECUTE PROCEDURE update_modified_at();
CREATE TABLE project (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  profile_id uuid NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project__profile_id__idx ON project(profile_id);
CREATE TABLE file (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
  name text NOT NULL,
  revn bigint NOT NULL DEFAULT 0,
  features text[] NOT NULL DEFAULT '{}',
  data bytea,
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE storage_object (
  id uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  size bigint NOT NULL,
  backend text NOT NULL,
  metadata jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  profile_id uuid REFERENCES profile(id) ON DELETE SET NULL,
  props jsonb NOT NULL,
  ip_addr inet,
  amount numeric(12,4),
  tracked_at timestamp without time zone NOT NULL
);
INSERT INTO profile (email, fullname, props, is_active, created_at)
  SELECT 'user' || i || '@example.internal', 'Usuaria ñandú ' || i || E' "quoted" \\ back\nslash',
         jsonb_build_object('lang', CASE WHEN i % 2 = 0 THEN 'es' ELSE 'en' END, 'onboarding', jsonb_build_object('step', i % 7, 'done', i % 3 = 0)),
         i % 10 <> 0, timestamptz '2024-01-01 00:00:00+00' + i * interval '37 minutes 13.123456 seconds'
    FROM generate_series(1, 500) i;
INSERT INTO project (profile_id, name, created_at)
  SELECT p.id, 'Project ' || g || ' of ' || p.email, p.created_at + g * interval '1 day' FROM profile p, generate_series(1, 3) g;
INSERT INTO file (project_id, name, revn, features, data)
  SELECT pr.id, 'Design ' || g, g * 17, ARRAY['components/v2', 'fdata/shape-data-type'], gen_random_bytes(64 + (g * 97) % 900) || '\x00ff00'::bytea
    FROM project pr, generate_series(1, 2) g;
INSERT INTO storage_object (size, backend, metadata, deleted_at)
  SELECT 1000 + i, 'fs', jsonb_build_object('content-type', 'image/png', 'bucket', 'file-media-object'), CASE WHEN i % 50 = 0 THEN now() END
    FROM generate_series(1, 2000) i;
INSERT INTO audit_log (name, profile_id, props, ip_addr, amount, tracked_at)
  SELECT 'update-file', (SELECT id FROM profile ORDER BY email OFFSET (i % 500) LIMIT 1),
         jsonb_build_object('i', i, 'nested', jsonb_build_array(i, 'x', null)), ('10.0.' || (i % 256) || '.' || (i / 256 % 256))::inet,
         i * 1.2345, timestamp '2025-06-01' + i * interval '1 second'
    FROM generate_series(1, 4000) i;
UPDATE profile SET fullname = fullname || ' (edited)' WHERE NOT is_active;
`;
const EXPECTED_ROWS = { audit_log: 4000, file: 3000, profile: 500, project: 1500, storage_object: 2000 };

interface TableFingerprint { rows: number; md5: string }

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

/** Row count and md5 of all rows (as text, in a fixed order) of every table of the public schema. */
function tableFingerprints(pg: PostgresServer, db: string): Record<string, TableFingerprint> {
  const out: Record<string, TableFingerprint> = {};
  for (const table of lines(pg.sql(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"))) {
    const [rows, md5] = pg.sql(db, `SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM public."${table}" t`).trim().split(' ');
    out[table] = { rows: Number(rows), md5 };
  }
  return out;
}

/** Everything besides rows that a restore must bring back. */
function schemaFingerprint(pg: PostgresServer, db: string): Record<string, string[]> {
  const q = (text: string): string[] => lines(pg.sql(db, text));
  return {
    extensions: q('SELECT extname FROM pg_extension ORDER BY 1'),
    columns: q("SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1"),
    constraints: q("SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1"),
    indexes: q("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"),
    triggers: q("SELECT tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"),
    functions: q("SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proname = 'update_modified_at'"),
    sequences: q("SELECT sequencename || ' ' || coalesce(last_value::text, 'unused') FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"),
  };
}

/** Relative path -> sha256 of every file, and every folder, below `root` (lost+found is not an asset). */
function treeFingerprint(root: string): { files: Record<string, string>; dirs: string[] } {
  const files: Record<string, string> = {};
  const dirs: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const rel = path.relative(root, p);
      if (rel === 'lost+found') continue;
      if (e.isDirectory()) {
        dirs.push(rel);
        walk(p);
      } else {
        files[rel] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
      }
    }
  };
  walk(root);
  return { files, dirs: dirs.sort() };
}

/** An assets tree laid out like Penpot's fs storage (`xx/yy/<uuid>`), binary content, odd names, empties. */
function writeAssets(root: string): void {
  for (let i = 0; i < 240; i++) {
    const id = crypto.randomUUID();
    const dir = path.join(root, id.slice(0, 2), id.slice(2, 4));
    fs.mkdirSync(dir, { recursive: true });
    const size = i % 40 === 0 ? 1024 * 1024 + i : (i * 7919) % 65536;
    fs.writeFileSync(path.join(dir, id), crypto.randomBytes(size));
  }
  fs.mkdirSync(path.join(root, 'fonts', 'Ñandú Sans'), { recursive: true });
  fs.writeFileSync(path.join(root, 'fonts', 'Ñandú Sans', 'regular weight.ttf'), crypto.randomBytes(4096));
  fs.writeFileSync(path.join(root, 'fonts', 'empty'), '');
  fs.writeFileSync(path.join(root, '.hidden-at-root'), 'dotfiles are assets too\n');
  fs.mkdirSync(path.join(root, 'empty', 'nested'), { recursive: true });
  // Root-only on ext4 volumes: the backup must leave it out or tar fails on it.
  fs.mkdirSync(path.join(root, 'lost+found'));
  fs.writeFileSync(path.join(root, 'lost+found', '#12345'), 'not an asset');
  if (IS_ROOT) fs.chmodSync(path.join(root, 'lost+found'), 0o700);
}

/** Files owned by the pod's user, as the backend (assets) and fsGroup (backup volume) leave them. */
function giveToPodUser(dir: string, podSpec: any): void {
  if (!IS_ROOT) return;
  const { runAsUser, runAsGroup } = podSpec.securityContext;
  spawnSync('chown', ['-R', `${runAsUser}:${runAsGroup}`, dir]);
  spawnSync('chown', ['root:root', path.join(dir, 'lost+found')]);
}

/** The UID files written by the scripts get: the pod's runAsUser (or the test's own when not root). */
const podUid = (podSpec: any): number => (IS_ROOT ? podSpec.securityContext.runAsUser : process.getuid!());

function completeSets(backups: string): string[] {
  return fs.readdirSync(backups).filter((n) => SET_NAME.test(n)).sort();
}

const setWritten = (run: Run): string => {
  const m = /^backup: set (\S+) complete$/m.exec(run.stdout);
  if (!m) throw new Error(`no "set ... complete" in the backup output:\n${run.stdout}\n${run.stderr}`);
  return m[1];
};

describe(`backup and restore with the scripts of dist/${ENV} against a real PostgreSQL 15`, () => {
  let pg: PostgresServer;
  let base: string;
  let volumes: Volumes;
  let tables: Record<string, TableFingerprint>;
  let schema: Record<string, string[]>;
  let assets: { files: Record<string, string>; dirs: string[] };
  let firstSet: string;
  const summary = { tables: 0, rows: 0, files: 0, bytes: 0, retained: '' };

  const backup = (extraEnv: Record<string, string> = {}, port?: number): Run => runContainer(backupPod, 'backup', volumes, pg, extraEnv, port);
  const restore = (set: string): Run => runContainer(restorePod, 'restore', volumes, pg, { RESTORE_SET: set });
  const expectOk = (run: Run): void => expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });

  beforeAll(async () => {
    pg = await startPostgres('penpot');
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'penpot-backup-'));
    fs.chmodSync(base, 0o755);
    volumes = {
      scripts: path.join(base, 'scripts'), backups: path.join(base, 'backups'), assets: path.join(base, 'assets'), tmp: path.join(base, 'tmp'),
      // Mounted by the restore container when sets may come from the off-node repository (empty here).
      fetched: path.join(base, 'fetched'),
    };
    for (const dir of Object.values(volumes)) fs.mkdirSync(dir, { mode: 0o755 });
    // The ConfigMap volume: each key a read-only file (defaultMode of the manifest).
    const mode = backupPod.volumes.find((v: any) => v.name === 'scripts').configMap.defaultMode;
    for (const [key, text] of Object.entries(scriptsConfigMap.data)) fs.writeFileSync(path.join(volumes.scripts, key), text as string, { mode });

    pg.sql('postgres', `CREATE DATABASE "${DATABASE}"`);
    pg.sql(DATABASE, SCHEMA_AND_DATA);
    writeAssets(volumes.assets);
    for (const dir of [volumes.backups, volumes.assets, volumes.tmp]) giveToPodUser(dir, backupPod);
    tables = tableFingerprints(pg, DATABASE);
    schema = schemaFingerprint(pg, DATABASE);
    assets = treeFingerprint(volumes.assets);
  }, 120_000);

  afterAll(() => {
    pg?.stop();
    if (base) fs.rmSync(base, { recursive: true, force: true });
    // The figures the closing note reports.
    console.log(`backup/restore on PostgreSQL 15: ${summary.rows} rows in ${summary.tables} tables and ${summary.files} asset files `
      + `(${summary.bytes} bytes) compared after restore; retention ${RETENTION}: kept ${summary.retained}`);
  });

  test('the fixture holds several tables with a few thousand rows and a nested binary assets tree', () => {
    expect(Object.fromEntries(Object.entries(tables).map(([t, f]) => [t, f.rows]))).toEqual(EXPECTED_ROWS);
    expect(schema.constraints.filter((c) => c.includes('FOREIGN KEY'))).toHaveLength(3);
    expect(Object.keys(assets.files).length).toBeGreaterThan(240);
  });

  test('one backup run writes one complete set: dump, assets archive, checksums and manifest', () => {
    const run = backup();
    expectOk(run);
    firstSet = setWritten(run);
    expect(completeSets(volumes.backups)).toEqual([firstSet]);
    expect(fs.readdirSync(path.join(volumes.backups, firstSet)).sort()).toEqual(['MANIFEST', 'SHA256SUMS', 'assets.tar.gz', 'database.dump']);
    expect(fs.readdirSync(volumes.backups).filter((n) => n.startsWith('.partial-'))).toEqual([]);
    expect(fs.readFileSync(path.join(volumes.backups, firstSet, 'MANIFEST'), 'utf8')).toMatch(/^database_tables=5$/m);
    // Written by the pod's user, readable by nobody else (the sets hold every design).
    const dump = fs.statSync(path.join(volumes.backups, firstSet, 'database.dump'));
    expect({ uid: dump.uid, mode: (dump.mode & 0o777).toString(8) }).toEqual({ uid: podUid(backupPod), mode: '600' });
  });

  test('the assets archive leaves out lost+found', () => {
    const listing = spawnSync('tar', ['-tzf', path.join(volumes.backups, firstSet, 'assets.tar.gz')], { encoding: 'utf8' }).stdout;
    expect(listing).toContain('./fonts/Ñandú Sans/regular weight.ttf');
    expect(listing).not.toContain('lost+found');
  });

  test('the backup does not change the assets it reads', () => {
    expect(treeFingerprint(volumes.assets)).toEqual(assets);
  });

  test('after the database is dropped, the restore brings back every row of every table unchanged', () => {
    pg.sql('postgres', `DROP DATABASE "${DATABASE}"`);
    const run = restore(firstSet);
    expectOk(run);
    expect(run.stdout).toMatch(new RegExp(`restore: set ${firstSet} restored`));
    const after = tableFingerprints(pg, DATABASE);
    expect(after).toEqual(tables);
    summary.tables = Object.keys(after).length;
    summary.rows = Object.values(after).reduce((n, t) => n + t.rows, 0);
  });

  test('the restore brings back extensions, columns and defaults, foreign keys, indexes, the trigger and sequence positions', () => {
    expect(schemaFingerprint(pg, DATABASE)).toEqual(schema);
    // The trigger really fires on the restored database.
    const before = pg.sql(DATABASE, "SELECT modified_at FROM profile WHERE email = 'user1@example.internal'");
    const changed = pg.sql(DATABASE, "UPDATE profile SET fullname = 'x' WHERE email = 'user1@example.internal' RETURNING modified_at");
    expect(changed).not.toBe(before);
  });

  test('after the assets are wiped, the restore brings back every file and folder with identical content', () => {
    pg.sql('postgres', `DROP DATABASE "${DATABASE}"`);
    for (const e of fs.readdirSync(volumes.assets)) if (e !== 'lost+found') fs.rmSync(path.join(volumes.assets, e), { recursive: true });
    expect(Object.keys(treeFingerprint(volumes.assets).files)).toEqual([]);
    expectOk(restore(firstSet));
    const after = treeFingerprint(volumes.assets);
    expect(after).toEqual(assets);
    expect(fs.existsSync(path.join(volumes.assets, '.restoring'))).toBe(false);
    // Owned by the restore pod's user, which is Penpot's backend user: it can write into restored folders.
    const owners = new Set(Object.keys(after.files).map((f) => fs.statSync(path.join(volumes.assets, f)).uid));
    expect([...owners]).toEqual([podUid(restorePod)]);
    summary.files = Object.keys(after.files).length;
    summary.bytes = Object.keys(after.files).reduce((n, f) => n + fs.statSync(path.join(volumes.assets, f)).size, 0);
  });

  test('a restore over a live database replaces it: rows and tables written after the backup are gone', () => {
    pg.sql(DATABASE, "CREATE TABLE added_by_a_newer_release (x int); INSERT INTO profile (email, fullname) VALUES ('late@example.internal', 'Late')");
    fs.writeFileSync(path.join(volumes.assets, 'uploaded-after-the-backup'), 'x');
    expectOk(restore(firstSet));
    expect(tableFingerprints(pg, DATABASE)).toEqual(tables);
    expect(treeFingerprint(volumes.assets)).toEqual(assets);
    expect(pg.sql('postgres', "SELECT datname FROM pg_database WHERE datname LIKE 'penpot%' ORDER BY 1").trim()).toBe(DATABASE);
  });

  test('the restore refuses while a client is connected to the database, and changes nothing', async () => {
    pg.sql(DATABASE, "INSERT INTO profile (email, fullname) VALUES ('marker@example.internal', 'Marker')");
    const marked = tableFingerprints(pg, DATABASE);
    const client = spawn(path.join(PG_BIN, 'psql'), ['-X', '-d', DATABASE, '-c', 'SELECT pg_sleep(60)'], { env: { ...pg.clientEnv(), PGAPPNAME: 'penpot-backend' } });
    try {
      for (let i = 0; i < 100 && pg.sql('postgres', `SELECT count(*) FROM pg_stat_activity WHERE datname = '${DATABASE}'`).trim() === '0'; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const run = restore(firstSet);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/restore: FAILED: database penpot is in use by .*\(penpot-backend\)/);
    } finally {
      // The server notices a killed client only when it next writes to it: end the session too.
      client.kill();
      pg.sql('postgres', "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'penpot-backend'");
    }
    expect(tableFingerprints(pg, DATABASE)).toEqual(marked);
    expectOk(restore(firstSet));
  });

  test('a set whose files do not match its checksums is refused before anything is touched', () => {
    const damaged = '29991231T235959Z';
    fs.cpSync(path.join(volumes.backups, firstSet), path.join(volumes.backups, damaged), { recursive: true });
    const dump = path.join(volumes.backups, damaged, 'database.dump');
    const bytes = fs.readFileSync(dump);
    bytes[bytes.length - 10] ^= 0xff;
    fs.writeFileSync(dump, bytes);
    try {
      const run = restore(damaged);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(`restore: FAILED: set ${damaged} is damaged`);
      expect(tableFingerprints(pg, DATABASE)).toEqual(tables);
    } finally {
      fs.rmSync(path.join(volumes.backups, damaged), { recursive: true });
    }
  });

  test('the restore Job as written (RESTORE_SET empty) fails and lists the complete sets', () => {
    const run = restore('');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(new RegExp(`RESTORE_SET is empty.*complete sets: ${firstSet}`));
  });

  test('a failed backup (database unreachable) fails loudly and leaves no partial set', async () => {
    const closed = spawnSync('node', ['-e', "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"], { encoding: 'utf8' });
    const run = backup({}, Number(closed.stdout.trim()));
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/connection|connect/i);
    expect(fs.readdirSync(volumes.backups)).toEqual([firstSet]);
  });

  test('an incomplete set (temp name) is never counted nor restored, and the next run removes it', () => {
    const partial = path.join(volumes.backups, '.partial-29990101T000000Z');
    fs.mkdirSync(partial);
    fs.writeFileSync(path.join(partial, 'database.dump'), 'cut short');
    giveToPodUser(partial, backupPod);
    const refused = restore('.partial-29990101T000000Z');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch('is not a complete set');
    const run = backup();
    expectOk(run);
    expect(run.stdout).toContain('removing incomplete set .partial-29990101T000000Z');
    expect(fs.existsSync(partial)).toBe(false);
    expect(completeSets(volumes.backups)).toEqual([firstSet, setWritten(run)]);
  });

  test(`retention: ${RETENTION} + 2 more runs keep exactly the newest ${RETENTION} complete sets`, () => {
    const written = [...completeSets(volumes.backups)];
    for (let i = 0; i < RETENTION + 2; i++) {
      const run = backup();
      expectOk(run);
      written.push(setWritten(run));
    }
    expect(new Set(written).size).toBe(written.length);
    const kept = completeSets(volumes.backups);
    expect(kept).toEqual(written.slice(-RETENTION));
    expect(kept).not.toContain(firstSet);
    summary.retained = `${kept.length} of ${written.length} sets`;
  }, 120_000);

  test('restoring `latest` restores the newest complete set', () => {
    pg.sql(DATABASE, "INSERT INTO profile (email, fullname) VALUES ('newest@example.internal', 'Newest')");
    const newest = setWritten(backup());
    pg.sql(DATABASE, "DELETE FROM profile WHERE email = 'newest@example.internal'");
    const run = restore('latest');
    expectOk(run);
    expect(run.stdout).toContain(`restore: set ${newest} restored`);
    expect(pg.sql(DATABASE, "SELECT fullname FROM profile WHERE email = 'newest@example.internal'").trim()).toBe('Newest');
  });
});

/** Bytes of every file below `dir`. */
function treeBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? treeBytes(p) : fs.statSync(p).size;
  }
  return n;
}

/** Go's time.ISOWeek of a UTC date, as restic's weekly buckets use it. */
function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
  const start = new Date(Date.UTC(t.getUTCFullYear(), 0, 1));
  return `${t.getUTCFullYear()}-${Math.ceil(((t.getTime() - start.getTime()) / 86_400_000 + 1) / 7)}`;
}

/**
 * The sets restic's `forget --keep-last/-daily/-weekly/-monthly` keeps, from its documented policy:
 * newest first, each rule keeps a snapshot whose bucket (day, ISO week, month) differs from the
 * previous snapshot's, until its count is used up.
 */
function expectedKept(sets: string[], keep: Record<'last' | 'daily' | 'weekly' | 'monthly', number>): string[] {
  const time = (s: string) => new Date(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`);
  const buckets: Record<keyof typeof keep, (d: Date) => string> = {
    last: (d) => d.toISOString(), daily: (d) => d.toISOString().slice(0, 10), weekly: isoWeek, monthly: (d) => d.toISOString().slice(0, 7),
  };
  const left = { ...keep };
  const last: Partial<Record<keyof typeof keep, string>> = {};
  const kept: string[] = [];
  for (const s of [...sets].sort().reverse()) {
    let keepIt = false;
    for (const rule of Object.keys(buckets) as (keyof typeof keep)[]) {
      const b = buckets[rule](time(s));
      if (left[rule] > 0 && b !== last[rule]) {
        last[rule] = b;
        left[rule]--;
        keepIt = true;
      }
    }
    if (keepIt) kept.push(s);
  }
  return kept.sort();
}

const checkCronJob = find(penpotDocs, 'CronJob', 'penpot-backup-check');
const checkPod = checkCronJob.spec.jobTemplate.spec.template.spec;
const uploadContainer = backupPod.containers.find((c: any) => c.name === 'upload');
const offsiteEnv = (name: string): string => uploadContainer.env.find((e: any) => e.name === name).value;

describe(`off-node copies with the scripts of dist/${ENV} and the real restic, restored into a real PostgreSQL 15`, () => {
  let pg: PostgresServer;
  let base: string;
  let volumes: Volumes;
  let repo: Repository;
  let firstTables: Record<string, TableFingerprint>;
  let firstAssets: { files: Record<string, string>; dirs: string[] };
  let secondTables: Record<string, TableFingerprint>;
  let secondAssets: { files: Record<string, string>; dirs: string[] };
  let firstSet: string;
  let secondSet: string;
  const figures: Record<string, string> = {};
  /** Built by the retention test, damaged (in copies) by the integrity check test. */
  let smallRepository: string;
  let idleUpload: Run;

  const restic = (args: string[], dir = repo.dir): Run => {
    const r = spawnSync('restic', ['--no-cache', '--repo', dir, ...args], { env: { PATH: process.env.PATH, RESTIC_PASSWORD: repo.password, HOME: base }, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const snapshotSets = (dir = repo.dir): string[] => (JSON.parse(restic(['snapshots', '--json'], dir).stdout) as any[])
    .map((s) => (s.tags as string[]).find((t) => t.startsWith('set='))!.slice(4)).sort();
  const timed = <T>(f: () => T): [T, number] => {
    const t0 = Date.now();
    const r = f();
    return [r, Date.now() - t0];
  };
  const backupJob = (): Run & { ran: string[] } => runPod(backupPod, volumes, pg, {}, repo);
  const expectOk = (run: Run): void => expect({ status: run.status, stderr: run.stderr.replace(/^.*no parent snapshot found.*\n/gm, '') })
    .toEqual({ status: 0, stderr: '' });

  beforeAll(async () => {
    pg = await startPostgres('penpot');
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'penpot-offsite-'));
    fs.chmodSync(base, 0o755);
    volumes = {
      scripts: path.join(base, 'scripts'), backups: path.join(base, 'backups'), assets: path.join(base, 'assets'),
      tmp: path.join(base, 'tmp'), 'restic-tmp': path.join(base, 'restic-tmp'), fetched: path.join(base, 'fetched'),
    };
    for (const dir of Object.values(volumes)) fs.mkdirSync(dir!, { mode: 0o755 });
    repo = { dir: path.join(base, 'repository'), password: crypto.randomBytes(24).toString('hex') };
    smallRepository = path.join(base, 'small-repository');
    const mode = backupPod.volumes.find((v: any) => v.name === 'scripts').configMap.defaultMode;
    for (const [key, text] of Object.entries(scriptsConfigMap.data)) fs.writeFileSync(path.join(volumes.scripts, key), text as string, { mode });
    pg.sql('postgres', `CREATE DATABASE "${DATABASE}"`);
    pg.sql(DATABASE, SCHEMA_AND_DATA);
    writeAssets(volumes.assets);
    for (const dir of [volumes.backups, volumes.assets, volumes.tmp, volumes['restic-tmp']!, volumes.fetched!]) giveToPodUser(dir, backupPod);
    if (IS_ROOT) spawnSync('chown', [`${backupPod.securityContext.runAsUser}:${backupPod.securityContext.runAsGroup}`, base]);
    firstTables = tableFingerprints(pg, DATABASE);
    firstAssets = treeFingerprint(volumes.assets);
  }, 120_000);

  afterAll(() => {
    pg?.stop();
    if (base) fs.rmSync(base, { recursive: true, force: true });
    if (alpinePath) fs.rmSync(alpinePath, { recursive: true, force: true });
    console.log(`off-node copies with restic: ${Object.entries(figures).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  });

  test('the backup Job runs backup.sh first, then uploads the new set as one snapshot holding exactly its files', () => {
    expect(backupPod.initContainers.map((c: any) => c.name)).toEqual(['backup']);
    expect(backupPod.containers.map((c: any) => c.name)).toEqual(['upload']);
    const [run, ms] = timed(backupJob);
    expectOk(run);
    expect(run.ran).toEqual(['backup', 'upload']);
    firstSet = setWritten(run);
    expect(run.stdout).toContain(`no repository at ${repo.dir} yet: creating it`);
    expect(snapshotSets()).toEqual([firstSet]);
    const listing = restic(['ls', '--json', 'latest']).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.type === 'file').map((e) => e.path).sort();
    expect(listing).toEqual(['/MANIFEST', '/SHA256SUMS', '/assets.tar.gz', '/database.dump']);
    const snap = JSON.parse(restic(['snapshots', '--json']).stdout)[0];
    expect({ host: snap.hostname, tags: snap.tags.sort() }).toEqual({ host: offsiteEnv('OFFSITE_HOST'), tags: ['penpot-backup', `set=${firstSet}`] });
    // Dated with the set's own time, so retention counts sets by when they were taken.
    expect(new Date(snap.time).toISOString().replace(/[-:]|\.\d+/g, '')).toBe(firstSet);
    const setBytes = treeBytes(path.join(volumes.backups, firstSet));
    figures['first run'] = `${ms} ms (dump, archive and upload), set ${setBytes} bytes, repository ${treeBytes(repo.dir)} bytes`;
  });

  test('a second run after a few edits stores only what changed: the repository grows by a small part of a set', () => {
    const before = treeBytes(repo.dir);
    pg.sql(DATABASE, "INSERT INTO profile (email, fullname) VALUES ('second@example.internal', 'Second run'); UPDATE file SET revn = revn + 1 WHERE name = 'Design 1' AND revn < 100");
    const id = crypto.randomUUID();
    fs.mkdirSync(path.join(volumes.assets, id.slice(0, 2), id.slice(2, 4)), { recursive: true });
    fs.writeFileSync(path.join(volumes.assets, id.slice(0, 2), id.slice(2, 4), id), crypto.randomBytes(20_000));
    giveToPodUser(volumes.assets, backupPod);
    secondTables = tableFingerprints(pg, DATABASE);
    secondAssets = treeFingerprint(volumes.assets);
    const [run, ms] = timed(backupJob);
    expectOk(run);
    secondSet = setWritten(run);
    expect(snapshotSets()).toEqual([firstSet, secondSet]);
    const setBytes = treeBytes(path.join(volumes.backups, secondSet));
    const growth = treeBytes(repo.dir) - before;
    figures['second run'] = `${ms} ms, set ${setBytes} bytes, repository +${growth} bytes (${(100 * growth / setBytes).toFixed(1)}% of the set)`;
    // restic cuts files into content-defined chunks of 512 KiB to 8 MiB (about 1 MiB on average): each edited
    // region (the rewritten `file` table in the dump, the new asset in the archive) costs a chunk or two, whatever
    // the set's size. Without deduplication the repository would grow by a whole set.
    expect(growth).toBeLessThan(setBytes * 0.5);
  });

  test('a run with nothing new to upload (the set is already there) uploads nothing and still applies retention', () => {
    const r = runContainer(backupPod, 'upload', volumes, pg, {}, pg.port, repo);
    idleUpload = r;
    expectOk(r);
    expect(r.stdout).toContain('nothing new to upload');
    expect(r.stdout).toContain('off-node retention:');
    expect(snapshotSets()).toEqual([firstSet, secondSet]);
  });

  test('a wrong repository password fails the upload loudly and changes nothing', () => {
    const r = runContainer(backupPod, 'upload', volumes, pg, {}, pg.port, { ...repo, password: 'not-the-password' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`upload: FAILED: cannot open the repository ${repo.dir}`);
    expect(snapshotSets()).toEqual([firstSet, secondSet]);
  });

  test('the node is gone: with an empty backup volume, the restore Job fetches the latest set from the repository and brings back every row and asset', () => {
    for (const e of fs.readdirSync(volumes.backups)) fs.rmSync(path.join(volumes.backups, e), { recursive: true });
    pg.sql('postgres', `DROP DATABASE "${DATABASE}"`);
    for (const e of fs.readdirSync(volumes.assets)) if (e !== 'lost+found') fs.rmSync(path.join(volumes.assets, e), { recursive: true });
    expect(restorePod.initContainers.map((c: any) => c.name)).toEqual(['fetch']);
    const [run, ms] = timed(() => runPod(restorePod, volumes, pg, { RESTORE_SET: 'latest', RESTORE_FROM: 'repository' }, repo));
    expectOk(run);
    expect(run.ran).toEqual(['fetch', 'restore']);
    expect(run.stdout).toContain(`fetch: set ${secondSet} fetched`);
    expect(run.stdout).toContain(`restore: checksums of set ${secondSet} verified`);
    expect(tableFingerprints(pg, DATABASE)).toEqual(secondTables);
    expect(treeFingerprint(volumes.assets)).toEqual(secondAssets);
    figures['restore from the repository'] = `${ms} ms (fetch and restore)`;
  });

  test('a set named from the repository restores that set: the first one, without the later edits', () => {
    fs.rmSync(volumes.fetched!, { recursive: true });
    fs.mkdirSync(volumes.fetched!);
    giveToPodUser(volumes.fetched!, restorePod);
    const run = runPod(restorePod, volumes, pg, { RESTORE_SET: firstSet, RESTORE_FROM: 'repository' }, repo);
    expectOk(run);
    expect(tableFingerprints(pg, DATABASE)).toEqual(firstTables);
    expect(treeFingerprint(volumes.assets)).toEqual(firstAssets);
  });

  test('a set the repository does not hold is refused before anything is touched, naming the sets it has', () => {
    const run = runPod(restorePod, volumes, pg, { RESTORE_SET: '20000101T000000Z', RESTORE_FROM: 'repository' }, repo);
    expect(run.status).not.toBe(0);
    expect(run.ran).toEqual(['fetch']);
    expect(run.stderr).toContain(`fetch: FAILED: RESTORE_SET=20000101T000000Z is not a set in the repository; sets: ${firstSet} ${secondSet}`);
    expect(tableFingerprints(pg, DATABASE)).toEqual(firstTables);
  });

  test('the restore Job as written (RESTORE_FROM=volume) does not touch the repository', () => {
    const r = runContainer(restorePod, 'fetch', volumes, pg, { RESTORE_SET: 'latest' }, pg.port, repo);
    expectOk(r);
    expect(r.stdout).toContain('RESTORE_FROM=volume: the set is read from the backup volume, nothing to fetch');
  });

  test('the integrity check CronJob passes on the repository', () => {
    const [r, ms] = timed(() => runContainer(checkPod, 'check', volumes, pg, {}, pg.port, repo));
    expectOk(r);
    expect(r.stdout).toContain(`check: repository ${repo.dir} is sound (data read: ${checkPod.containers[0].env.find((e: any) => e.name === 'OFFSITE_CHECK_SUBSET').value})`);
    figures.check = `${ms} ms`;
  });

  test('off-node retention keeps exactly the sets its policy names, and never uploads a removed set again', () => {
    // The configured policy reaches restic as it is.
    const keep = {
      last: Number(offsiteEnv('OFFSITE_KEEP_LAST')), daily: Number(offsiteEnv('OFFSITE_KEEP_DAILY')),
      weekly: Number(offsiteEnv('OFFSITE_KEEP_WEEKLY')), monthly: Number(offsiteEnv('OFFSITE_KEEP_MONTHLY')),
    };
    const flags = Object.entries(keep).filter(([, n]) => n > 0).map(([k, n]) => `--keep-${k} ${n}`).join(' ');
    expect(idleUpload.stdout).toContain(`upload: off-node retention: ${flags}`);

    // A fresh repository and a volume of 9 small sets, one every fourth night at 03:00 for 36 nights, under a
    // small policy so that every rule decides something: last 1, daily 2, weekly 2, monthly 2.
    const small = { ...repo, dir: smallRepository };
    const backups = path.join(base, 'retention-backups');
    fs.mkdirSync(backups);
    const names: string[] = [];
    for (let i = 9; i >= 1; i--) {
      const name = new Date(Date.UTC(2026, 10, 30, 3, 0, 0) - i * 4 * 86_400_000).toISOString().replace(/[-:]|\.\d+/g, '');
      const dir = path.join(backups, name);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'database.dump'), `dump of ${name}\n${crypto.randomBytes(2048).toString('hex')}`);
      fs.writeFileSync(path.join(dir, 'SHA256SUMS'), `${crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, 'database.dump'))).digest('hex')}  database.dump\n`);
      names.push(name);
    }
    giveToPodUser(backups, backupPod);
    const policy = { last: 1, daily: 2, weekly: 2, monthly: 2 };
    const env = { OFFSITE_KEEP_LAST: '1', OFFSITE_KEEP_DAILY: '2', OFFSITE_KEEP_WEEKLY: '2', OFFSITE_KEEP_MONTHLY: '2' };
    const r = runContainer(backupPod, 'upload', { ...volumes, backups }, pg, env, pg.port, small);
    expectOk(r);
    const kept = snapshotSets(small.dir);
    expect(kept).toEqual(expectedKept(names, policy));
    expect(kept.length).toBeLessThan(names.length);
    figures.retention = `9 sets over 36 nights, policy ${JSON.stringify(policy)}: ${kept.length} kept (${kept.join(' ')})`;
    // The sets forgotten off-node are still on the volume; the next run must not upload them again.
    const again = runContainer(backupPod, 'upload', { ...volumes, backups }, pg, env, pg.port, small);
    expectOk(again);
    expect(again.stdout).toContain('nothing new to upload');
    expect(snapshotSets(small.dir)).toEqual(kept);
  });

  test('the integrity check fails on a damaged pack (every pack read) and on a missing one (with the configured subset)', () => {
    const packs = (dir: string): string[] => fs.readdirSync(path.join(dir, 'data')).flatMap((d) => fs.readdirSync(path.join(dir, 'data', d)).map((f) => path.join(dir, 'data', d, f)));
    const damaged = path.join(base, 'damaged');
    fs.cpSync(smallRepository, damaged, { recursive: true });
    // The biggest pack holds file data (tree packs are small).
    const biggest = packs(damaged).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
    fs.chmodSync(biggest, 0o644);
    const bytes = fs.readFileSync(biggest);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(biggest, bytes);
    giveToPodUser(damaged, checkPod);
    const flipped = runContainer(checkPod, 'check', volumes, pg, { OFFSITE_CHECK_SUBSET: '100%' }, pg.port, { ...repo, dir: damaged });
    expect(flipped.status).not.toBe(0);
    expect(flipped.stderr).toContain('check: FAILED: restic check found errors');

    const missing = path.join(base, 'missing');
    fs.cpSync(smallRepository, missing, { recursive: true });
    fs.rmSync(packs(missing)[0]);
    giveToPodUser(missing, checkPod);
    const gone = runContainer(checkPod, 'check', volumes, pg, {}, pg.port, { ...repo, dir: missing });
    expect(gone.status).not.toBe(0);
    expect(gone.stderr).toContain('check: FAILED: restic check found errors');
  });

});
