/**
 * OPERATIONS.md "Off-node copies", "Restore from the off-node copy" and "The node is gone": the
 * commands name the manifests' own objects and values, and the restore command really gives both
 * containers of the restore Job the set and the source (run with the real kubectl, offline).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadDist } from '../lib/checks';

const REPO = path.resolve(__dirname, '..');
const dist = loadDist(REPO);
const envs = [...new Set(dist.objects.filter((o) => o.doc.kind === 'CronJob' && o.doc.metadata.name === 'penpot-backup-check').map((o) => o.env))].sort();

test('the environments that copy sets off the node are the ones configured to (homelab, example)', () => {
  expect(envs).toEqual(['example', 'homelab']);
});

describe.each(envs)('OPERATIONS.md of %s, off the node', (env) => {
  const doc = fs.readFileSync(path.join(REPO, 'dist', env, 'OPERATIONS.md'), 'utf8');
  const upload = dist.objects.find((o) => o.env === env && o.doc.kind === 'CronJob' && o.doc.metadata.name === 'penpot-backup')!
    .doc.spec.jobTemplate.spec.template.spec.containers.find((c: any) => c.name === 'upload');
  const repository = upload.env.find((e: any) => e.name === 'RESTIC_REPOSITORY').value;
  const secret = upload.env.find((e: any) => e.name === 'RESTIC_PASSWORD').valueFrom.secretKeyRef.name;

  test('has the three sections, names the repository and its Secret, and says to keep the password off the cluster', () => {
    for (const h of ['## Off-node copies', '## Restore from the off-node copy', '## The node is gone']) expect(doc).toContain(h);
    expect(doc).toContain(`\`${repository}\``);
    expect(doc).toContain(`Secret \`${secret}\``);
    expect(doc).toMatch(/Keep a copy of `RESTIC_PASSWORD` outside the cluster/);
    expect(doc).not.toMatch(/copy the volume off the node with your volume backup tool/);
  });

  test('the restore command gives the fetch and restore containers the set and RESTORE_FROM=repository (real kubectl, offline)', () => {
    const line = doc.split('\n').map((l) => l.trim()).find((l) => l.startsWith('kubectl set env --local') && l.includes('RESTORE_FROM=repository'))!;
    const [setEnv] = line.split(' | ');
    const file = /-f (\S+)/.exec(setEnv)![1];
    expect(fs.existsSync(path.join(REPO, file))).toBe(true);
    const args = setEnv.replace('<set name>', '20261130T030000Z').split(' ').slice(1);
    const r = spawnSync('kubectl', args, { cwd: REPO, encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const job = parseAllDocuments(r.stdout).map((d) => d.toJS()).find((d) => d?.kind === 'Job');
    const spec = job.spec.template.spec;
    for (const c of [...spec.initContainers, ...spec.containers]) {
      const value = (n: string) => c.env.find((e: any) => e.name === n)?.value;
      expect({ container: c.name, set: value('RESTORE_SET'), from: value('RESTORE_FROM') })
        .toEqual({ container: c.name, set: '20261130T030000Z', from: 'repository' });
    }
  });

  test('the node-is-gone steps pause the schedule before the restore and list the sets through the fetch container', () => {
    const section = doc.slice(doc.indexOf('## The node is gone'));
    const pause = section.indexOf('"suspend":true');
    const restore = section.indexOf('RESTORE_SET=<set name> RESTORE_FROM=repository');
    expect(pause).toBeGreaterThan(0);
    expect(restore).toBeGreaterThan(pause);
    expect(section).toContain('RESTORE_SET= RESTORE_FROM=repository');
    expect(section).toContain('logs job/penpot-restore -c fetch');
    expect(section).toContain(`dist/${env}/root-application.yaml`);
  });
});
