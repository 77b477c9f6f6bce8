/**
 * `npm run diff` and the review at the end of `npm run synth`, against a real Git repository in a
 * temp folder whose committed dist/ holds a test environment (git must be on PATH).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../lib/cli';
import { EnvironmentInput } from '../lib/config/types';
import { diffMain, printSynthReview } from '../lib/review/cli';
import { blobHash } from '../lib/review/revision';
import { minimalEnv, tempDir } from './support/environments';

const base = minimalEnv({ storage: { className: 'local-path', postgresSize: '5Gi' } });
const bigger: EnvironmentInput = { ...base, storage: { ...base.storage, postgresSize: '10Gi' } };
const bumped: EnvironmentInput = { ...base, smokeChecks: { image: 'curlimages/curl:8.13.0' } };

function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.email=test@test.internal', '-c', 'user.name=test', ...args], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A repository whose HEAD has dist/ synthesized from `base`. */
function repository(): string {
  const dir = tempDir('review-repo-');
  git(dir, 'init', '-q');
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    expect(main([base], [], dir)).toBe(0);
  } finally {
    log.mockRestore();
    warn.mockRestore();
  }
  git(dir, 'add', 'dist');
  git(dir, 'commit', '-q', '-m', 'base');
  return dir;
}

function diff(inputs: readonly EnvironmentInput[], argv: string[], dir: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = diffMain(inputs, argv, dir, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run diff', () => {
  const dir = repository();

  test('exit 1 on a blocking change, with object- and field-level lines', () => {
    const r = diff([bigger], [], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('    ~ StatefulSet penpot/penpot-postgres  (penpot/penpot.k8s.yaml)');
    expect(r.out).toContain('        spec.volumeClaimTemplates[data].spec.resources.requests.storage: "5Gi" -> "10Gi"');
    expect(r.out).toContain('!!! BLOCKING (the sync fails or data is lost): test: StatefulSet penpot/penpot-postgres');
  });

  test('exit 0 on a harmless image bump, listing the field', () => {
    const r = diff([bumped], [], dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/containers\[smoke-check\]\.image: "docker\.io\/curlimages\/curl:8\.12\.1" -> "docker\.io\/curlimages\/curl:8\.13\.0"/);
    expect(r.out).not.toContain('!!!');
    expect(r.out).toContain('Review: nothing Argo CD cannot apply, no data at risk.');
  });

  test('--base names the revision to compare with: against the commit of the bigger volume, the bigger volume is no change', () => {
    git(dir, 'checkout', '-q', '-b', 'bigger');
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(main([bigger], [], dir)).toBe(0);
    } finally {
      log.mockRestore();
      warn.mockRestore();
    }
    git(dir, 'commit', '-q', '-am', 'bigger');
    expect(diff([bigger], [], dir).code).toBe(0);
    const against = diff([bigger], ['--base', 'HEAD~1'], dir);
    expect(against.code).toBe(1);
    expect(against.out).toContain("Change review against HEAD~1's dist/:");
    git(dir, 'checkout', '-q', '-');
  });

  test.each([
    [['--base', 'no-such-branch'], /--base: "no-such-branch" is not a revision/],
    [['--bse', 'HEAD'], /Unknown option '--bse'/],
    [['--env', 'nope'], /--env "nope" is not an environment; allowed: test/],
    [['extra'], /Unexpected argument 'extra'/],
  ])('usage error %j: exit 2 with the usage', (argv, message) => {
    const r = diff([base], argv, dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('Usage: npm run diff --');
  });

  test('an invalid configuration: exit 1 with the configuration error', () => {
    const r = diff([{ ...base, storage: { postgresSize: 'ten' } }], [], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('environments.test.storage.postgresSize');
  });
});

describe('the review at the end of npm run synth', () => {
  function synthReview(dir: string, files: { path: string; content: string }[], envs = [{ name: 'test' }]) {
    const out: string[] = [];
    printSynthReview(dir, { envs, files, full: true }, { out: (l) => out.push(l), err: (l) => out.push(l) });
    return out.join('\n');
  }

  test('a new, untracked environment shows as all added', () => {
    const dir = repository();
    const other = minimalEnv({ name: 'other', domain: 'other.internal' });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(main([base, other], [], dir)).toBe(0);
      const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(printed).toContain('  test: no change');
      expect(printed).toMatch(/ {2}other: new environment, not in the base \(\d+ added, 0 changed, 0 removed\)/);
      expect(printed).toContain('    + Namespace penpot  (penpot/penpot.k8s.yaml)');
    } finally {
      log.mockRestore();
      warn.mockRestore();
    }
  });

  test('outside a Git repository it says why it did not review', () => {
    expect(synthReview(tempDir('no-repo-'), [])).toMatch(/^Change review skipped: .* is not a Git repository/);
  });

  test('unchanged files are recognised by their blob hash, as git computes it', () => {
    const dir = tempDir('hash-');
    fs.writeFileSync(path.join(dir, 'f'), 'kind: ConfigMap\n');
    expect(spawnSync('git', ['hash-object', 'f'], { cwd: dir, encoding: 'utf8' }).stdout.trim()).toBe(blobHash('kind: ConfigMap\n'));
  });
});
