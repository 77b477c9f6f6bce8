/**
 * `npm run export` as a child process (the real CLI, exactly what the npm script runs) against the
 * stand-in of Penpot 2.17's HTTP surface (test/support/penpot-stand-in.ts, a stand-in built from
 * ../shared/reference/penpot-export.md; only a real Penpot proves renders, timings and the
 * deployment's settings).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveEnvironments } from '../lib/config/resolve';
import { ENVIRONMENTS } from '../lib/environments';
import { pngSize, svgProblem } from '../lib/penpot/export/client';
import { EMAIL_VARIABLE, PASSWORD_VARIABLE, environmentUriFrom, exportMain } from '../lib/penpot/export/cli';
import { PenpotStandIn, StandInFailure, TEMPFILE_TTL_MS } from './support/penpot-stand-in';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..');
const EMAIL = 'export-bot@example.internal';
const PASSWORD = 'Sup3r-Secret-Passw0rd';

let penpot: PenpotStandIn;
let ids: ReturnType<PenpotStandIn['addFile']>;
let dir: string;

beforeEach(async () => {
  penpot = new PenpotStandIn();
  ids = penpot.addFile([penpot.addAccount(EMAIL, PASSWORD)], { name: 'Dashboard', width: 320, height: 200 });
  await penpot.start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'penpot-export-cli-'));
});
afterEach(async () => {
  await penpot.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Run { code: number; stdout: string; stderr: string }

/** The CLI exactly as `npm run export` starts it, with only the given environment. */
function cli(args: string[], env: Record<string, string> = { [EMAIL_VARIABLE]: EMAIL, [PASSWORD_VARIABLE]: PASSWORD }, viaNpm = false): Promise<Run> {
  const [cmd, argv] = viaNpm
    ? ['npm', ['run', '--silent', 'export', '--', ...args]]
    : [process.execPath, ['-r', './scripts/register.js', 'scripts/export.ts', ...args]];
  return new Promise((resolve) => {
    execFile(cmd, argv, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const exportArgs = (extra: string[] = [], out = path.join(dir, 'board.png')) =>
  ['--url', penpot.url, '--file-id', ids.fileId, '--page-id', ids.pageId, '--object-id', ids.frameId, '--out', out, ...extra];

function expectNoSecret(run: Run): void {
  const all = run.stdout + run.stderr;
  expect(all).not.toContain(PASSWORD);
  for (const token of penpot.issuedTokens) expect(all).not.toContain(token);
}

describe('success', () => {
  test('PNG: writes the bytes with the dimensions of frame x scale, exit 0', async () => {
    const out = path.join(dir, 'board.png');
    const run = await cli(exportArgs(['--scale', '2'], out));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(pngSize(fs.readFileSync(out))).toEqual({ width: 640, height: 400 });
    expectNoSecret(run);
  });

  test('SVG: writes a well-formed SVG', async () => {
    const out = path.join(dir, 'board.svg');
    const run = await cli(exportArgs(['--format', 'svg'], out));
    expect(run.code).toBe(0);
    expect(svgProblem(fs.readFileSync(out))).toBeUndefined();
  });

  test('an existing --out is replaced atomically and no temporary file stays', async () => {
    const out = path.join(dir, 'board.png');
    fs.writeFileSync(out, 'old');
    expect((await cli(exportArgs([], out))).code).toBe(0);
    expect(pngSize(fs.readFileSync(out))).toEqual({ width: 320, height: 200 });
    expect(fs.readdirSync(dir)).toEqual(['board.png']);
  });

  test('--list prints exactly one line per top-level board, <id>TAB<name>TAB<w>x<h>, through npm run --silent', async () => {
    const run = await cli(['--url', penpot.url, '--list', '--file-id', ids.fileId, '--page-id', ids.pageId], undefined, true);
    expect(run).toEqual({ code: 0, stdout: `${ids.frameId}\tDashboard\t320x200\n`, stderr: '' });
  });
});

describe('failures: exit 1, exactly one stderr line `error <code>: <hint>`, --out untouched, no secret', () => {
  const switches: Array<[StandInFailure, string, RegExp]> = [
    ['exporter-502', 'exporter-unavailable', /is penpot-exporter running\? see its logs/],
    ['exporter-504', 'exporter-unavailable', /penpot-exporter/],
    ['upload-403', 'unable-to-upload-resource', /PENPOT_SECRET_KEY differs between penpot-backend and penpot-exporter/],
    ['upload-500', 'unable-to-upload-resource', /not writable by UID 1001/],
    ['upload-404', 'unable-to-upload-resource', /PENPOT_INTERNAL_URI/],
    ['exporter-timeout', 'render-timeout', /retry later/],
    ['playwright-timeout', 'render-timeout', /retry later/],
    ['cut-transfer', 'download-failed', /cut/],
    ['empty-204', 'download-failed', /X-Accel-Redirect/],
    ['not-an-image', 'download-failed', /not a PNG/],
    ['sessions-refused', 'auth-failed', /zero uuid/],
    ['login-disabled', 'auth-failed', /enable-login-with-password/],
  ];

  async function expectFailure(run: Run, code: string, hint: RegExp, out: string): Promise<void> {
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(run.stderr.endsWith('\n')).toBe(true);
    expect(lines[0]).toMatch(new RegExp(`^error ${code}: `));
    expect(lines[0]).toMatch(hint);
    expect(run.stdout).toBe('');
    expect(fs.readFileSync(out, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual([path.basename(out)]);
    expectNoSecret(run);
  }

  test.each(switches)('%s -> %s', async (failure, code, hint) => {
    penpot.fail(failure);
    const out = path.join(dir, 'board.png');
    fs.writeFileSync(out, 'old');
    await expectFailure(await cli(exportArgs([], out)), code, hint, out);
  });

  test('wrong password -> auth-failed', async () => {
    const out = path.join(dir, 'board.png');
    fs.writeFileSync(out, 'old');
    const run = await cli(exportArgs([], out), { [EMAIL_VARIABLE]: EMAIL, [PASSWORD_VARIABLE]: 'wrong-Passw0rd-value' });
    await expectFailure(run, 'auth-failed', /wrong-credentials/, out);
    expect(run.stderr).not.toContain('wrong-Passw0rd-value');
  });

  test.each([
    ['a missing file', (): Partial<typeof ids> => ({ fileId: crypto.randomUUID() }), 'not-found', /not found/],
    ['a missing object (200 without it)', (): Partial<typeof ids> => ({ frameId: crypto.randomUUID() }), 'not-found', /not found/],
    ['an object that is not a board', (): Partial<typeof ids> => ({ frameId: ids.rectId }), 'not-a-frame', /not a board/],
  ] as const)('%s', async (_name, override, code, hint) => {
    const o = { ...ids, ...override() };
    const out = path.join(dir, 'board.png');
    fs.writeFileSync(out, 'old');
    const run = await cli(['--url', penpot.url, '--file-id', o.fileId, '--page-id', o.pageId, '--object-id', o.frameId, '--out', out]);
    await expectFailure(run, code, hint, out);
  });

  test('the render expired (10-minute tempfile) before the download -> download-expired', async () => {
    penpot.afterExport = () => penpot.advance(TEMPFILE_TTL_MS + 1000);
    const out = path.join(dir, 'board.png');
    fs.writeFileSync(out, 'old');
    await expectFailure(await cli(exportArgs([], out)), 'download-expired', /expired/, out);
  });

  test('nothing listening at --url -> penpot-unreachable', async () => {
    const url = penpot.url;
    await penpot.stop();
    const out = path.join(dir, 'board.png');
    fs.writeFileSync(out, 'old');
    const run = await cli(['--url', url, '--file-id', ids.fileId, '--page-id', ids.pageId, '--object-id', ids.frameId, '--out', out]);
    await expectFailure(run, 'penpot-unreachable', /cannot reach/, out);
  });
});

describe('usage errors: exit 2 naming the flag or variable, before any request', () => {
  const U = '11111111-2222-4333-8444-555555555555';
  const base = () => ['--url', penpot.url, '--file-id', U, '--page-id', U, '--object-id', U, '--out', path.join(dir, 'x.png')];
  // Every row has four cells: jest takes a test function with more parameters than cells for a done-callback test.
  const cases: Array<[string, () => string[], RegExp, Record<string, string> | undefined]> = [
    ['unknown flag', () => [...base(), '--token', 'abc'], /--token/, undefined],
    ['bad format', () => [...base(), '--format', 'jpeg'], /--format/, undefined],
    ['scale 0', () => [...base(), '--scale', '0'], /--scale/, undefined],
    ['scale above 10', () => [...base(), '--scale', '10.5'], /--scale/, undefined],
    ['scale not a number', () => [...base(), '--scale', 'big'], /--scale/, undefined],
    ['scale with svg', () => [...base(), '--format', 'svg', '--scale', '2'], /--scale/, undefined],
    ['missing --out', () => base().slice(0, -2), /--out/, undefined],
    ['missing --object-id', () => ['--url', penpot.url, '--file-id', U, '--page-id', U, '--out', path.join(dir, 'x.png')], /--object-id/, undefined],
    ['a file id that is not a UUID', () => ['--url', penpot.url, '--file-id', 'dashboard', '--page-id', U, '--object-id', U, '--out', path.join(dir, 'x.png')], /--file-id/, undefined],
    ['--list without --page-id', () => ['--url', penpot.url, '--list', '--file-id', U], /--page-id/, undefined],
    ['neither --url nor --env', () => base().slice(2), /--url/, undefined],
    ['--url with credentials', () => ['--url', penpot.url.replace('http://', 'http://bot:pw@'), ...base().slice(2)], /--url/, undefined],
    ['an unknown --env', () => ['--env', 'no-such-env', ...base().slice(2)], /--env/, undefined],
    ['missing credential variables', () => base(), /PENPOT_EXPORT_EMAIL and PENPOT_EXPORT_PASSWORD/, {}],
    ['missing password variable', () => base(), /PENPOT_EXPORT_PASSWORD/, { [EMAIL_VARIABLE]: EMAIL }],
  ];
  test.each(cases)('%s', async (_name, args, names, env) => {
    const run = await cli(args(), env ?? { [EMAIL_VARIABLE]: EMAIL, [PASSWORD_VARIABLE]: PASSWORD });
    expect(run.code).toBe(2);
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error usage: /);
    expect(lines[0]).toMatch(names);
    expect(penpot.requests).toHaveLength(0);
    expect(fs.readdirSync(dir)).toEqual([]);
    expectNoSecret(run);
  });
});

describe('--env', () => {
  const envs = resolveEnvironments(ENVIRONMENTS);

  test('stands in for --url with the environment\'s penpot.publicUri', async () => {
    const env = envs.find((e) => e.penpot.enabled);
    if (!env) return; // no environment runs Penpot: nothing to resolve
    const called: string[] = [];
    const code = await exportMain(['--env', env.name, '--list', '--file-id', ids.fileId, '--page-id', ids.pageId], {
      env: { [EMAIL_VARIABLE]: EMAIL, [PASSWORD_VARIABLE]: PASSWORD },
      stdout: () => undefined, stderr: () => undefined,
      environmentUri: environmentUriFrom(envs),
      fetch: async (input) => { called.push(String(input)); throw new TypeError('fetch failed'); },
    });
    expect(code).toBe(1);
    expect(called[0].startsWith(`${env.penpot.publicUri}/api/`)).toBe(true);
  });

  test('an environment without Penpot is a usage error naming --env', async () => {
    const lines: string[] = [];
    const code = await exportMain(['--env', 'nowhere', '--self-test'], {
      env: { [EMAIL_VARIABLE]: EMAIL, [PASSWORD_VARIABLE]: PASSWORD },
      stdout: () => undefined, stderr: (l) => lines.push(l),
      environmentUri: environmentUriFrom([{ name: 'nowhere', penpot: { enabled: false, publicUri: 'http://x' } }]),
    });
    expect(code).toBe(2);
    expect(lines).toEqual([expect.stringMatching(/^error usage: --env nowhere runs no Penpot/)]);
  });
});
