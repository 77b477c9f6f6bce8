import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../lib/config/resolve';
import { ENVIRONMENTS } from '../lib/environments';
import { synth } from '../lib/cli';
import { minimalEnv, snapshotTree, tempDir } from './support/environments';
import { environmentNames } from './support/configured';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

describe('synthesis output', () => {
  test('synthesizing into a temp folder reproduces the committed dist/ byte for byte, twice', () => {
    const committed = snapshotTree(DIST);
    for (let run = 0; run < 2; run++) {
      const out = tempDir();
      synth(ENVIRONMENTS, { only: [], outdir: out });
      expect(snapshotTree(out)).toEqual(committed);
    }
  });

  test('each environment is written to dist/<env>/<app>/ with its root Application and secrets contract', () => {
    const out = tempDir();
    const { files } = synth(ENVIRONMENTS, { only: [], outdir: out });
    const paths = files.map((f) => f.path);
    for (const env of environmentNames((e) => e.penpot.enabled)) {
      expect(paths).toEqual(expect.arrayContaining([
        `${env}/penpot/penpot.k8s.yaml`, `${env}/apps/apps.k8s.yaml`, `${env}/root-application.yaml`,
        `${env}/secrets.json`, `${env}/SECRETS.md`,
      ]));
    }
  });

  test('synthesizing one environment leaves the other environments alone', () => {
    const out = tempDir();
    synth(ENVIRONMENTS, { only: [], outdir: out });
    fs.writeFileSync(path.join(out, 'example', 'marker'), 'kept');
    synth(ENVIRONMENTS, { only: ['homelab'], outdir: out });
    expect(fs.readFileSync(path.join(out, 'example', 'marker'), 'utf8')).toBe('kept');
  });

  test('a full synth removes the folder of an environment that no longer exists', () => {
    const out = tempDir();
    fs.mkdirSync(path.join(out, 'retired'));
    synth(ENVIRONMENTS, { only: [], outdir: out });
    expect(fs.existsSync(path.join(out, 'retired'))).toBe(false);
  });

  test('no Secret object with data is ever written', () => {
    const out = tempDir();
    const { files } = synth(ENVIRONMENTS, { only: [], outdir: out });
    for (const f of files.filter((x) => x.path.endsWith('.yaml'))) expect(f.content).not.toMatch(/^kind: Secret$/m);
  });
});

describe('bad configuration writes nothing', () => {
  test('synth throws a ConfigError and leaves an existing output folder untouched', () => {
    const out = tempDir();
    synth(ENVIRONMENTS, { only: [], outdir: out });
    const before = snapshotTree(out);
    const bad = [...ENVIRONMENTS, minimalEnv({ storage: { className: '' } })];
    expect(() => synth(bad, { only: [], outdir: out })).toThrow(ConfigError);
    expect(snapshotTree(out)).toEqual(before);
  });

  test('an unknown --env fails the synth command with the allowed names and leaves dist/ untouched', () => {
    const out = tempDir();
    synth(ENVIRONMENTS, { only: [], outdir: out });
    const before = snapshotTree(out);
    const result = spawnSync(process.execPath, ['-r', './scripts/register.js', 'main.ts', '--env', 'nope', '--outdir', out], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--env: "nope" is not an environment; allowed: homelab, example/);
    expect(snapshotTree(out)).toEqual(before);
  });

  test('the synth command writes the requested environment and reports it', () => {
    const out = tempDir();
    const stdout = execFileSync(process.execPath, ['-r', './scripts/register.js', 'main.ts', '--env', 'homelab', '--outdir', out], { cwd: ROOT, encoding: 'utf8' });
    expect(stdout).toMatch(/Synthesized homelab into/);
    expect(fs.existsSync(path.join(out, 'homelab', 'penpot', 'penpot.k8s.yaml'))).toBe(true);
  });
});

describe('cdk8s synth', () => {
  test('a failing app run through the cdk8s CLI leaves dist/ untouched (the CLI only empties its link)', () => {
    const out = tempDir();
    synth(ENVIRONMENTS, { only: [], outdir: out });
    const before = snapshotTree(out);
    const cliOut = path.join(tempDir(), 'cdk8s.out');
    const app = `node -r ./scripts/register.js main.ts --env nope --outdir ${out}`;
    const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--app', app, '--output', cliOut],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } });
    expect(result.status).not.toBe(0);
    expect(result.stderr + result.stdout).toMatch(/"nope" is not an environment/);
    expect(snapshotTree(out)).toEqual(before);
  });
});
