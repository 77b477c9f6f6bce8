import * as path from 'node:path';
import { CHECK_IDS, formatFindings, loadDist, runAllChecks } from '../lib/checks';

const dist = loadDist(path.resolve(__dirname, '..'));

describe('the committed dist/', () => {
  test('holds objects for every environment', () => {
    const envs = new Set(dist.objects.map((o) => o.env));
    expect([...envs].sort()).toEqual(['example', 'homelab']);
    for (const env of envs) expect(dist.contracts.has(env)).toBe(true);
  });

  test('passes every schema, wiring and Penpot contract check with zero findings', () => {
    expect(CHECK_IDS.length).toBeGreaterThan(20);
    expect(formatFindings(runAllChecks(dist))).toBe('');
  });

  test('every Application path is a folder of dist/ and no Application syncs automatically', () => {
    const apps = dist.objects.filter((o) => o.doc.kind === 'Application');
    expect(apps.length).toBe(4);
    for (const app of apps) {
      expect(dist.dirs.has(app.doc.spec.source.path)).toBe(true);
      expect(app.doc.spec.syncPolicy?.automated).toBeUndefined();
    }
  });
});
