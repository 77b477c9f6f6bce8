/**
 * Runs the real `npm run secrets/up/down` entry points (scripts/*.ts through the register hook,
 * as npm does) in a child process whose PATH holds only a recording kubectl stand-in
 * (test/support/fake-kubectl.js) and the directory of the node binary.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './environments';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface LoggedCall {
  readonly argv: string[];
  readonly stdin: boolean;
  readonly stdinObjects: string[];
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** kubectl calls this run made, in order. */
  readonly calls: LoggedCall[];
}

export interface FakeCluster {
  readonly dir: string;
  readonly statePath: string;
  /** Runs `npm run <script> -- <args>` against the fake cluster. */
  run(script: 'secrets' | 'up' | 'down' | 'token', args: readonly string[], env?: Record<string, string>): RunResult;
  state(): { currentContext?: string; objects: Record<string, any> };
  stateText(): string;
}

export function fakeCluster(initial: { currentContext?: string; contexts?: string[]; objects?: Record<string, unknown>; crds?: string[]; unreachable?: boolean }, options: { withKubectl?: boolean } = {}): FakeCluster {
  const dir = tempDir('ops-fake-cluster-');
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  if (options.withKubectl !== false) {
    const fake = path.join(__dirname, 'fake-kubectl.js');
    fs.writeFileSync(path.join(bin, 'kubectl'), `#!${process.execPath}\nrequire(${JSON.stringify(fake)});\n`, { mode: 0o755 });
  }
  const statePath = path.join(dir, 'state.json');
  const logPath = path.join(dir, 'calls.jsonl');
  fs.writeFileSync(statePath, `${JSON.stringify({ contexts: [initial.currentContext].filter(Boolean), objects: {}, ...initial }, null, 2)}\n`);
  return {
    dir,
    statePath,
    run(script, args, env = {}) {
      fs.writeFileSync(logPath, '');
      const r = spawnSync(process.execPath, ['-r', './scripts/register.js', `scripts/${script}.ts`, ...args], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        // Only the stand-in and nothing from the caller's environment: operator values come from `env` alone.
        env: { PATH: bin, HOME: dir, FAKE_KUBECTL_STATE: statePath, FAKE_KUBECTL_LOG: logPath, ...env },
      });
      const calls = fs.readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LoggedCall);
      return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, calls };
    },
    state: () => JSON.parse(fs.readFileSync(statePath, 'utf8')),
    stateText: () => fs.readFileSync(statePath, 'utf8'),
  };
}

/** Every Secret value in the fake cluster, decoded (what the scripts must never print or pass as an argument). */
export function secretValues(cluster: FakeCluster): string[] {
  return Object.values(cluster.state().objects).filter((o: any) => o.kind === 'Secret')
    .flatMap((s: any) => Object.values(s.data ?? {}).flatMap((b64) => [Buffer.from(b64 as string, 'base64').toString('utf8'), b64 as string]));
}
