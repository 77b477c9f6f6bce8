/** The export docs match the code: the README's and OPERATIONS.md's error codes are exactly the client's. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveEnvironments } from '../lib/config/resolve';
import { EnvironmentInput } from '../lib/config/types';
import { EXPORT_ERROR_CODES } from '../lib/penpot/export/client';
import { errorCodeTable } from '../lib/penpot/export/operations';
import { USAGE } from '../lib/penpot/export/cli';
import { homelab } from '../lib/environments/homelab';
import { synthesizedDist } from './support/synthesized-dist';

/** homelab with the export server on, synthesized exactly as `npm run synth` would (it is off in the committed dist/). */
const WITH_EXPORT = { ...homelab, penpot: { ...homelab.penpot, export: { enabled: true, accountSecretName: 'penpot-export-account', clientNamespaces: ['kagent'] } } } as EnvironmentInput;

const ROOT = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const codesIn = (table: string) => [...table.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);

test('README lists exactly the client\'s error codes, with the generated table', () => {
  const block = /<!-- export-error-codes:begin -->\n([\s\S]*?)\n<!-- export-error-codes:end -->/.exec(readme)?.[1] ?? '';
  expect(codesIn(block)).toEqual([...EXPORT_ERROR_CODES]);
  expect(block).toBe(errorCodeTable().join('\n'));
});

test('the README names the CLI\'s credential variables and the flags of its usage', () => {
  for (const flag of USAGE.match(/--[a-z-]+/g)!) expect(readme).toContain(flag);
  expect(readme).toContain('PENPOT_EXPORT_EMAIL');
  expect(readme).toContain('PENPOT_EXPORT_PASSWORD');
});

test('OPERATIONS.md of an environment with the export server documents every error code and the account Secret', () => {
  const env = resolveEnvironments([WITH_EXPORT])[0];
  const doc = synthesizedDist(WITH_EXPORT).read(`${env.name}/OPERATIONS.md`);
  const section = doc.slice(doc.indexOf('## Headless export of boards'));
  expect(codesIn(section)).toEqual([...EXPORT_ERROR_CODES]);
  expect(section).toContain(env.penpot.export.accountSecretName);
  expect(section).toContain('PENPOT_INTERNAL_URI');
  expect(section).toContain('PENPOT_SECRET_KEY');
});
