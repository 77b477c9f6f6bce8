/**
 * `--help` of every npm script lists exactly the flags it accepts: each script's parser and its
 * usage text come from one option table, every flag of the text is accepted, an unknown flag is
 * a usage error (exit 2), and no script of package.json is left out.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main, SYNTH_OPTIONS, SYNTH_USAGE } from '../lib/cli';
import { ENVIRONMENTS } from '../lib/environments';
import { APP_FOLDERS, DOWN_OPTIONS, DOWN_USAGE, downMain, OpsIo, SECRETS_OPTIONS, SECRETS_USAGE, secretsMain, UP_OPTIONS, UP_USAGE, upMain } from '../lib/ops/cli';
import { DIFF_OPTIONS, DIFF_USAGE, diffMain } from '../lib/review/cli';
import { BENCH_OPTIONS, BENCH_USAGE, BenchUsageError, parseBenchArgs } from '../scripts/bench';
import { POLICY_OPTIONS, POLICY_USAGE, policyMain } from '../scripts/policy';
import { appFolders } from './support/configured';
import { tempDir } from './support/environments';

const ROOT = path.resolve(__dirname, '..');
type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** Runs a script's entry point in process; returns its exit code and what it printed. */
type Run = (argv: string[]) => { code: number; out: string };

function quiet(body: () => number): { code: number; out: string } {
  const printed: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => { printed.push(a.join(' ')); });
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => { printed.push(a.join(' ')); });
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    return { code: body(), out: printed.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    warn.mockRestore();
  }
}

function opsRun(entry: (argv: readonly string[], io: OpsIo) => number): Run {
  return (argv) => {
    const printed: string[] = [];
    const io: OpsIo = {
      repoRoot: ROOT, inputs: ENVIRONMENTS, variables: {},
      kubectl: () => { throw new Error('kubectl must not be called'); },
      out: (l) => printed.push(l), err: (l) => printed.push(l),
    };
    return { code: entry(argv, io), out: printed.join('\n') };
  };
}

const SCRIPTS: Record<string, { usage: string; options: Options; run: Run }> = {
  synth: { usage: SYNTH_USAGE, options: SYNTH_OPTIONS, run: (argv) => quiet(() => main(ENVIRONMENTS, argv, tempDir('usage-synth-'))) },
  diff: {
    usage: DIFF_USAGE, options: DIFF_OPTIONS,
    run: (argv) => { const p: string[] = []; return { code: diffMain(ENVIRONMENTS, argv, ROOT, { out: (l) => p.push(l), err: (l) => p.push(l) }), out: p.join('\n') }; },
  },
  policy: {
    usage: POLICY_USAGE, options: POLICY_OPTIONS,
    run: (argv) => { const p: string[] = []; return { code: policyMain(argv, ROOT, { out: (l) => p.push(l), err: (l) => p.push(l) }), out: p.join('\n') }; },
  },
  bench: {
    usage: BENCH_USAGE, options: BENCH_OPTIONS,
    run: (argv) => {
      try {
        return { code: parseBenchArgs(argv).help ? 0 : -1, out: BENCH_USAGE };
      } catch (err) {
        if (err instanceof BenchUsageError) return { code: 2, out: err.message };
        throw err;
      }
    },
  },
  secrets: { usage: SECRETS_USAGE, options: SECRETS_OPTIONS, run: opsRun(secretsMain) },
  up: { usage: UP_USAGE, options: UP_OPTIONS, run: opsRun(upMain) },
  down: { usage: DOWN_USAGE, options: DOWN_OPTIONS, run: opsRun(downMain) },
};

const flagsOf = (usage: string) => [...new Set(usage.match(/(?<![\w-])--[a-z][a-z-]*/g) ?? [])].sort();
const flagsOfOptions = (options: Options) => Object.keys(options).map((k) => `--${k}`).sort();
const sample = (o: { type: 'string' | 'boolean' }) => (o.type === 'string' ? ['1'] : []);

describe.each(Object.entries(SCRIPTS))('npm run %s -- --help', (_name, script) => {
  test('lists exactly the flags its parser accepts', () => {
    expect(flagsOf(script.usage)).toEqual(flagsOfOptions(script.options));
  });

  test('prints the usage and exits 0', () => {
    const r = script.run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(script.usage.split('\n')[0]);
  });

  test('accepts every flag it lists (together with --help, which wins)', () => {
    for (const [flag, option] of Object.entries(script.options)) {
      expect({ flag, code: script.run(['--help', `--${flag}`, ...sample(option)]).code }).toEqual({ flag, code: 0 });
    }
  });

  test('refuses an unknown flag with exit 2 and the usage', () => {
    const r = script.run(['--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.out).toContain("Unknown option '--no-such-flag'");
    expect(r.out).toContain(script.usage.split('\n')[0]);
  });
});

describe('package.json scripts', () => {
  const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
  const nodeScripts = Object.entries(scripts).filter(([, cmd]) => cmd.startsWith('node -r ./scripts/register.js')).map(([name]) => name);

  test('every script that runs a program of this repository is specified above', () => {
    const others = nodeScripts.filter((n) => !(n in SCRIPTS));
    // Scripts added by other parts of the project: at least --help prints a usage (stdout or stderr) and exits 0.
    for (const name of others) {
      const [, , file] = scripts[name].split(' ').filter(Boolean).slice(1);
      const r = spawnSync(process.execPath, ['-r', './scripts/register.js', file, '--help'], { cwd: ROOT, encoding: 'utf8' });
      expect({ name, status: r.status, usage: /usage:/i.test(`${r.stdout}${r.stderr}`) }).toEqual({ name, status: 0, usage: true });
    }
    expect(Object.keys(SCRIPTS).filter((n) => !nodeScripts.includes(n))).toEqual([]);
  });

  test('up and down list every app folder an environment has', () => {
    const apps = new Set(appFolders().map((f) => f.split('/')[1]));
    for (const app of apps) expect(APP_FOLDERS).toContain(app);
    for (const usage of [UP_USAGE, DOWN_USAGE]) expect(usage).toContain(APP_FOLDERS.join(', '));
  });
});

describe('the README tells the truth about commands and files', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;

  test('every `npm run <script>` exists, and every flag given to one is a flag it accepts', () => {
    const uses = [...readme.matchAll(/npm run (?:--silent )?([a-z][\w-]*)((?: -- [^`\n#]*)?)/g)];
    expect(uses.length).toBeGreaterThan(10);
    for (const [, name, rest] of uses) {
      expect({ name, exists: name in scripts }).toEqual({ name, exists: true });
      const flags = rest.match(/(?<![\w-])--[a-z][a-z-]*/g) ?? [];
      const table = SCRIPTS[name]?.options;
      if (table) for (const flag of flags) expect({ name, flag, accepted: flag.slice(2) in table }).toEqual({ name, flag, accepted: true });
    }
  });

  test('npm test runs npm run typecheck (tsc --noEmit), the policy summary, then jest with --ci', () => {
    expect(readme).toContain('`npm run typecheck` (`tsc --noEmit`)');
    expect(scripts.typecheck).toBe('tsc --noEmit');
    expect(scripts.test).toBe('npm run --silent typecheck && npm run --silent policy -- --summary && jest --ci');
  });

  test('every file or folder of the repository it names exists', () => {
    const paths = [...readme.matchAll(/`((?:lib|ops|scripts|test|bench|\.ci)\/[^`\s]*)`/g)].map((m) => m[1]).filter((p) => !/[<*]/.test(p));
    expect(paths.length).toBeGreaterThan(10);
    for (const p of paths) expect({ p, exists: fs.existsSync(path.join(ROOT, p)) }).toEqual({ p, exists: true });
  });

  test('every function it places in a file is in that file', () => {
    const claims = [
      ...[...readme.matchAll(/`(\w+)` in `((?:lib|scripts)\/[^`]+\.ts)`/g)].map((m) => [m[1], m[2]]),
      ...[...readme.matchAll(/`((?:lib|scripts)\/[^`]+\.ts)` \(`(\w+)`\)/g)].map((m) => [m[2], m[1]]),
    ];
    expect(claims.length).toBeGreaterThan(2);
    for (const [name, file] of claims) {
      expect({ name, file, found: new RegExp(`\\b${name}\\b`).test(fs.readFileSync(path.join(ROOT, file), 'utf8')) }).toEqual({ name, file, found: true });
    }
  });
});
