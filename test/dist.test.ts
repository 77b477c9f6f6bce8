import * as path from 'node:path';
import { CHECK_IDS, formatFindings, loadDist, runAllChecks } from '../lib/checks';
import { OPERATIONS_FOLDER } from '../lib/operations-chart';
import { environmentNames, hasOperationsFolder } from './support/configured';

const dist = loadDist(path.resolve(__dirname, '..'));

describe('the committed dist/', () => {
  test('holds objects for every environment', () => {
    const envs = new Set(dist.objects.map((o) => o.env));
    expect([...envs].sort()).toEqual(environmentNames());
    for (const env of envs) expect(dist.contracts.has(env)).toBe(true);
  });

  test('passes every schema, wiring and Penpot contract check with zero findings', () => {
    expect(CHECK_IDS.length).toBeGreaterThan(20);
    expect(formatFindings(runAllChecks(dist))).toBe('');
  });

  test('every app folder has exactly one child Application, every env one root, none syncs automatically', () => {
    const apps = dist.objects.filter((o) => o.doc.kind === 'Application');
    for (const env of environmentNames()) {
      const appFolders = [...dist.dirs].filter((d) => d.startsWith(`dist/${env}/`) && d.split('/').length === 3
        && dist.objects.some((o) => o.file.startsWith(`${d}/`))).map((d) => d.split('/')[2]).filter((d) => d !== 'apps' && d !== OPERATIONS_FOLDER);
      const children = apps.filter((a) => a.env === env && a.app === 'apps' && a.doc.spec.source.path !== undefined).map((a) => a.doc.spec.source.path);
      expect(children.sort()).toEqual(appFolders.map((f) => `dist/${env}/${f}`).sort());
      expect(apps.filter((a) => a.env === env && a.app === undefined).map((a) => a.doc.spec.source.path)).toEqual([`dist/${env}/apps`]);
    }
    for (const app of apps) {
      // A Helm source (a third-party chart such as kMCP) has a chart and a pinned version instead of a path.
      if (app.doc.spec.source.chart) expect(app.doc.spec.source.targetRevision).toMatch(/^\d+\.\d+\.\d+$/);
      else expect(dist.dirs.has(app.doc.spec.source.path)).toBe(true);
      expect(app.doc.spec.syncPolicy?.automated).toBeUndefined();
    }
  });

  test('no Application syncs the operations folder (the restore Job runs only when an operator creates it)', () => {
    const restoreJobs = dist.objects.filter((o) => o.app === OPERATIONS_FOLDER && o.doc.kind === 'Job');
    expect(restoreJobs.map((o) => o.file).sort()).toEqual(environmentNames(hasOperationsFolder).map((env) => `dist/${env}/${OPERATIONS_FOLDER}/restore-job.yaml`));
    const sources = dist.objects.filter((o) => o.doc.kind === 'Application')
      .flatMap((a) => [a.doc.spec.source, ...(a.doc.spec.sources ?? [])].filter((s) => s?.path !== undefined));
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) {
      expect(String(s.path).split('/')).not.toContain(OPERATIONS_FOLDER);
      expect(s.directory?.recurse).not.toBe(true);
    }
  });
});
