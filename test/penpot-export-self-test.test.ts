/**
 * The self-test (`npm run export -- --self-test`, and the bundle's `--self-test` the PostSync Job
 * runs) against the stand-in of Penpot 2.17 (test/support/penpot-stand-in.ts, whose create-file,
 * update-file and delete-file follow the 2.17.0 backend schemas cited in lib/penpot/export/self-test.ts).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportServerBundle } from '../lib/penpot/export/bundle';
import { PenpotClient } from '../lib/penpot/export/client';
import { SELF_TEST_BOARD, runSelfTest } from '../lib/penpot/export/self-test';
import { PenpotStandIn } from './support/penpot-stand-in';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..');
const EMAIL = 'export-bot@example.internal';
const PASSWORD = 'self-test-Passw0rd';

let penpot: PenpotStandIn;
beforeEach(async () => {
  penpot = new PenpotStandIn();
  penpot.addAccount(EMAIL, PASSWORD);
  await penpot.start();
});
afterEach(() => penpot.stop());

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => execFile(cmd, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } }, (e, stdout, stderr) => {
    resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr });
  }));
}
const cli = (args: string[]) => run(process.execPath, ['-r', './scripts/register.js', 'scripts/export.ts', ...args],
  { PENPOT_EXPORT_EMAIL: EMAIL, PENPOT_EXPORT_PASSWORD: PASSWORD });

test('npm run export -- --self-test: creates a scratch file with one board, exports PNG and SVG, deletes the file', async () => {
  const result = await cli(['--url', penpot.url, '--self-test']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(new RegExp(`ok png: PNG signature, ${SELF_TEST_BOARD.width}x${SELF_TEST_BOARD.height}`));
  expect(result.stdout).toMatch(/ok svg: well-formed <svg>/);
  expect(result.stdout).toMatch(/ok deleted scratch file/);
  const commands = penpot.requests.map((r) => r.path.replace(/\?.*$/, ''));
  expect(commands.filter((p) => /create-file|update-file|delete-file/.test(p))).toEqual([
    '/api/main/methods/create-file', '/api/main/methods/update-file', '/api/main/methods/delete-file',
  ]);
  expect(commands.filter((p) => p === '/api/export')).toHaveLength(2);
  expect(penpot.files.size).toBe(0);
  expect(result.stdout + result.stderr).not.toContain(PASSWORD);
});

test('a failing export fails the self-test with its code, and the scratch file is deleted anyway', async () => {
  penpot.fail('upload-403');
  const result = await cli(['--url', penpot.url, '--self-test']);
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error unable-to-upload-resource: .*PENPOT_SECRET_KEY/)]);
  expect(penpot.files.size).toBe(0);
});

test('a board of the wrong size fails the self-test (the PNG size is checked)', async () => {
  // The stand-in renders what update-file stored: shrink the stored board after it was added.
  const client = new PenpotClient({ baseUrl: penpot.url, email: EMAIL, password: PASSWORD });
  const original = penpot.selfTestCommand.bind(penpot);
  penpot.selfTestCommand = (command, params, who, json) => {
    if (command === 'update-file') for (const c of params.changes) c.obj.width = 10;
    return original(command, params, who, json);
  };
  await expect(runSelfTest(client)).rejects.toMatchObject({ code: 'export-failed', hint: expect.stringContaining('expected the board') });
  expect(penpot.files.size).toBe(0);
});

test('the bundle (the ConfigMap\'s server.js) runs the same self-test (what the PostSync Job starts)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'penpot-export-job-'));
  fs.writeFileSync(path.join(dir, 'server.js'), exportServerBundle());
  const result = await run(process.execPath, [path.join(dir, 'server.js'), '--self-test'], { PENPOT_URL: penpot.url, PENPOT_EXPORT_EMAIL: EMAIL, PENPOT_EXPORT_PASSWORD: PASSWORD });
  expect(result).toMatchObject({ code: 0, stderr: '' });
  expect(result.stdout).toMatch(/ok deleted scratch file/);
});
