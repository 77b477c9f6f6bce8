/**
 * `npm run bench [-- --runs N] [-- --no-test]`: times, in one run on the same code,
 *   (a)  the project's synth (the `synth` script of package.json, into a temp --outdir),
 *   (a') the same through `npm run synth` (adds npm's own start-up),
 *   (a") `cdk8s synth` with the app of cdk8s.yaml (the fast path through the CLI),
 *   (b)  `cdk8s synth` with ts-node type-checking (the default cdk8s toolchain),
 *   (c)  the floor: Node loading cdk8s and cdk8s-plus-28, then exiting,
 * plus synth with extra MCP servers and one run of the test command (tsc --noEmit, then jest).
 * Wall time min/median/max over N runs (after one warm-up run) and peak memory (max RSS of the
 * largest process of the command). Prints a table and writes bench/results.json.
 * Everything is written under a temp folder (removed at the end); dist/ is never touched.
 * BENCH_RUNS=N sets the runs; BENCH_MEMORY=node measures memory without GNU time.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs as parseNodeArgs } from 'node:util';
import { main } from '../lib/cli';
import { EnvironmentInput, KmcpServerInput } from '../lib/config/types';
import { ENVIRONMENTS } from '../lib/environments';
import { resolveEnvironments } from '../lib/config/resolve';
import { DIST_DIR } from '../lib/platform';
import { reviewAgainstRevision } from '../lib/review';
import { renderedObjects, synthesizeEnvironment } from '../lib/synth';

const ROOT = path.resolve(__dirname, '..');
const RESULTS_FILE = path.join(ROOT, 'bench', 'results.json');
const EXTRA_MCP_SERVER_COUNTS = [1, 10, 100] as const;
const EXTRA_MCP_FLAG = '--synth-with-extra-mcp-servers';
/** Upper bounds of one run: a hung command is killed (with its whole process group). */
const SYNTH_TIMEOUT_MS = 60_000;
const TYPECHECKED_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 900_000;

/**
 * The configuration with `n` extra MCP servers, for the row "synth with +1/+10/+100 extra MCP
 * servers" (cost growth per server): `n` kMCP servers added to the first environment, each a
 * stdio server with a volume, a Secret and a kagent RemoteMCPServer (the most objects per server).
 */
export function extraMcpServerInputs(n: number): readonly EnvironmentInput[] | undefined {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`extra MCP servers: ${n} is not a positive integer`);
  const [first, ...rest] = ENVIRONMENTS;
  const extra: KmcpServerInput[] = Array.from({ length: n }, (_, i) => ({
    name: `bench-${i + 1}`,
    transport: 'stdio',
    image: 'docker.io/library/node:22-alpine',
    cmd: 'npx',
    args: ['-y', '@modelcontextprotocol/server-filesystem@2026.8.31', '/data'],
    volume: { mountPath: '/data' },
    secrets: [{ name: `bench-${i + 1}-env`, keys: { API_KEY: 'bench key' } }],
  }));
  return [{
    ...first,
    kmcp: { ...first.kmcp, enabled: true, servers: [...(first.kmcp?.servers ?? []), ...extra] },
    kagent: { ...first.kagent, enabled: true },
  }, ...rest];
}
const EXTRA_MCP_NA = 'n/a (config has no MCP server list yet; see issue 5)';

interface Stats { readonly min: number; readonly median: number; readonly max: number; readonly runs: readonly number[] }
interface Measured {
  readonly key: string;
  readonly label: string;
  readonly command: string;
  readonly wallMs: Stats;
  /** Largest max RSS over the runs, in MB (undefined when it could not be measured). */
  readonly maxRssMb?: number;
}
interface RunResult { readonly ms: number; readonly rssKb?: number; readonly code: number | null; readonly output: string }

/** How peak memory is measured: GNU time's %M, else a preload in every Node process reporting its maxRSS. */
type MemoryProbe = { readonly kind: 'gnu-time'; readonly bin: string } | { readonly kind: 'node-preload'; readonly preload: string };

function stats(runs: readonly number[]): Stats {
  const sorted = [...runs].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1], runs };
}

function gnuTime(): string | undefined {
  for (const bin of ['/usr/bin/time', '/bin/time']) {
    try {
      fs.accessSync(bin, fs.constants.X_OK);
      const probe = spawnSync(bin, ['-f', '%M', 'true'], { encoding: 'utf8', timeout: 5000 });
      if (probe.status === 0 && /^\d+\s*$/.test(probe.stderr.trim().split('\n').pop() ?? '')) return bin;
    } catch {
      // not there or not GNU time: try the next one
    }
  }
  return undefined;
}

function memoryProbe(tmp: string): MemoryProbe {
  const bin = process.env.BENCH_MEMORY === 'node' ? undefined : gnuTime();
  if (bin) return { kind: 'gnu-time', bin };
  const preload = path.join(tmp, 'maxrss-preload.js');
  fs.writeFileSync(preload, "process.on('exit', () => { if (process.env.BENCH_MAXRSS_FILE) "
    + "require('fs').appendFileSync(process.env.BENCH_MAXRSS_FILE, process.resourceUsage().maxRSS + '\\n'); });\n");
  return { kind: 'node-preload', preload };
}

/** Runs `command` in a shell (PATH with node_modules/.bin, as npm scripts have), bounded by `timeoutMs`. */
function runOnce(command: string, probe: MemoryProbe, tmp: string, timeoutMs: number): Promise<RunResult> {
  const rssFile = path.join(tmp, `rss-${process.hrtime.bigint()}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDK8S_CHECK_UPGRADE: 'false',
    PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  };
  let file = '/bin/sh';
  let args = ['-c', command];
  if (probe.kind === 'gnu-time') {
    args = ['-f', '%M', '-o', rssFile, file, ...args];
    file = probe.bin;
  } else {
    env.BENCH_MAXRSS_FILE = rssFile;
    env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${probe.preload}`.trim();
  }
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const timer = setTimeout(() => {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
      reject(new Error(`timed out after ${timeoutMs / 1000} s: ${command}`));
    }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      clearTimeout(timer);
      let rssKb: number | undefined;
      if (fs.existsSync(rssFile)) {
        const values = fs.readFileSync(rssFile, 'utf8').split('\n').map((l) => Number(l.trim())).filter((v) => v > 0);
        if (values.length > 0) rssKb = Math.max(...values);
        fs.rmSync(rssFile, { force: true });
      }
      resolve({ ms, rssKb, code, output });
    });
  });
}

async function measure(key: string, label: string, command: string, runs: number, probe: MemoryProbe, tmp: string,
  timeoutMs = SYNTH_TIMEOUT_MS): Promise<Measured> {
  process.stderr.write(`  ${label} ...`);
  const times: number[] = [];
  let rss = 0;
  for (let i = 0; i <= runs; i++) { // run 0 is the warm-up, not counted
    const r = await runOnce(command, probe, tmp, timeoutMs);
    if (r.code !== 0) throw new Error(`failed (exit ${r.code}): ${command}\n${r.output}`);
    if (i === 0) continue;
    times.push(r.ms);
    rss = Math.max(rss, r.rssKb ?? 0);
  }
  const wallMs = stats(times);
  process.stderr.write(` median ${(wallMs.median / 1000).toFixed(2)} s\n`);
  return { key, label, command: command.split(tmp).join('<tmp>'), wallMs, maxRssMb: rss > 0 ? Math.round(rss / 1024) : undefined };
}

/** The files of a folder (following links), relative path -> content, to compare outputs byte for byte. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string, rel: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const abs = path.join(d, name);
      if (fs.statSync(abs).isDirectory()) walk(abs, path.join(rel, name));
      else out.set(path.join(rel, name), fs.readFileSync(abs));
    }
  };
  walk(dir, '');
  return out;
}

function sameTree(a: string, b: string): boolean {
  const x = tree(a);
  const y = tree(b);
  return x.size > 0 && x.size === y.size && [...x].every(([k, v]) => y.get(k)?.equals(v) === true);
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function appOfCdk8sYaml(): string {
  const line = fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8').split('\n').find((l) => l.startsWith('app:'));
  if (!line) throw new Error('cdk8s.yaml has no app');
  return line.slice('app:'.length).trim();
}

export const BENCH_OPTIONS = {
  'runs': { type: 'string' },
  'no-test': { type: 'boolean' },
  'help': { type: 'boolean', short: 'h' },
} as const;

export const BENCH_USAGE = `Usage: npm run bench -- [--runs N] [--no-test]

Times synth (the project's, through npm, through cdk8s, with ts-node, the Node floor, with extra MCP servers) and
one run of the test command; peak memory per command; writes bench/results.json. dist/ is never touched.

  --runs N        runs per command after one warm-up, 1..50 [$BENCH_RUNS or 5]
  --no-test       skip the run of the test command
  -h, --help      this text`;

export class BenchUsageError extends Error {}

export function parseBenchArgs(argv: readonly string[]): { runs: number; test: boolean; help: boolean } {
  let values: { runs?: string; 'no-test'?: boolean; help?: boolean };
  try {
    values = parseNodeArgs({ args: [...argv], options: BENCH_OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new BenchUsageError(`${(err as Error).message}\n\n${BENCH_USAGE}`);
  }
  const runs = Number(values.runs ?? process.env.BENCH_RUNS ?? 5);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new BenchUsageError(`--runs: ${values.runs ?? runs} is not an integer in 1..50\n\n${BENCH_USAGE}`);
  return { runs, test: !values['no-test'], help: values.help === true };
}

/**
 * The change review's own cost (the end of every synth), in process: the synthesized files of a
 * configuration against HEAD's dist/, median of `runs`. Unchanged files are skipped by blob hash;
 * changed ones are parsed and compared object by object.
 */
function reviewCost(inputs: readonly EnvironmentInput[], runs: number): number {
  const envs = resolveEnvironments(inputs);
  const files = envs.flatMap(synthesizeEnvironment);
  const times = Array.from({ length: runs + 1 }, () => {
    const started = process.hrtime.bigint();
    const r = reviewAgainstRevision({ repoRoot: ROOT, rev: 'HEAD', distDir: DIST_DIR, envs: envs.map((e) => ({ name: e.name })), files, includeUnconfigured: true, objectsOf: renderedObjects });
    if (!r.ok) throw new Error(`review: ${r.message}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  }).slice(1);
  return stats(times).median;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function bench(argv: readonly string[]): Promise<void> {
  const { runs, test, help } = parseBenchArgs(argv);
  if (help) {
    console.log(BENCH_USAGE);
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'penpot-bench-'));
  const cleanup = (): void => fs.rmSync(tmp, { recursive: true, force: true });
  const onSignal = (): void => { cleanup(); process.exit(130); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const probe = memoryProbe(tmp);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const dir = (name: string): string => quote(path.join(tmp, name));
    const self = [process.execPath, ...process.execArgv, __filename].map(quote).join(' ');
    process.stderr.write(`bench: ${runs} runs each after 1 warm-up, in ${tmp}\n`);

    const rows: Measured[] = [];
    rows.push(await measure('a', '(a)  project synth', `${pkg.scripts.synth} --outdir ${dir('a')}`, runs, probe, tmp));
    rows.push(await measure('a_npm', "(a') npm run synth", `npm run --silent synth -- --outdir ${dir('a-npm')}`, runs, probe, tmp));
    rows.push(await measure('a_cli', '(a") cdk8s synth, fast app',
      `cdk8s synth --app ${quote(`${appOfCdk8sYaml()} --outdir ${path.join(tmp, 'a-cli')}`)} --output ${dir('a-cli.out')}`, runs, probe, tmp));
    rows.push(await measure('b', '(b)  cdk8s synth, ts-node type-check',
      `cdk8s synth --app ${quote(`npx ts-node main.ts --outdir ${path.join(tmp, 'b')}`)} --output ${dir('b.out')}`, runs, probe, tmp,
      TYPECHECKED_TIMEOUT_MS));
    rows.push(await measure('c', '(c)  floor: node + cdk8s + plus-28', `node -e "require('cdk8s'); require('cdk8s-plus-28')"`, runs, probe, tmp));
    const byKey = (k: string): Measured => rows.find((r) => r.key === k)!;
    const [a, b, c] = [byKey('a'), byKey('b'), byKey('c')];
    const identical = sameTree(path.join(tmp, 'a'), path.join(tmp, 'b')) && sameTree(path.join(tmp, 'a'), path.join(tmp, 'a-cli'));

    // Synth with extra MCP servers: the same synth, in a child running this file with the configuration of extraMcpServerInputs(n).
    const extra: { servers: number; wallMs?: Stats; addedMs?: number; perServerMs?: number }[] = [];
    let extraBase: Measured | undefined;
    for (const n of EXTRA_MCP_SERVER_COUNTS) {
      if (extraMcpServerInputs(n) === undefined) { extra.push({ servers: n }); continue; }
      extraBase ??= await measure('mcp+0', 'synth +0 extra MCP servers', `${self} ${EXTRA_MCP_FLAG} 0 --outdir ${dir('mcp0')}`, runs, probe, tmp);
      const m = await measure(`mcp+${n}`, `synth +${n} extra MCP servers`, `${self} ${EXTRA_MCP_FLAG} ${n} --outdir ${dir(`mcp${n}`)}`, runs, probe, tmp);
      const addedMs = m.wallMs.median - extraBase.wallMs.median;
      extra.push({ servers: n, wallMs: m.wallMs, addedMs, perServerMs: addedMs / n });
    }

    // The review of: nothing changed; +100 kMCP servers in the first environment; every environment new (renamed).
    const review = {
      unchangedMs: reviewCost(ENVIRONMENTS, runs),
      plus100McpServersMs: reviewCost(extraMcpServerInputs(100) ?? ENVIRONMENTS, runs),
      allEnvironmentsNewMs: reviewCost(ENVIRONMENTS.map((e) => ({ ...e, name: `${e.name}-new` })), runs),
    };

    let npmTest: { ok: boolean; wallMs: number; typecheckMs: number; jestMs: number } | undefined;
    if (test) {
      process.stderr.write('  npm test (tsc --noEmit, then jest) ...');
      const tsc = await runOnce('tsc --noEmit', probe, tmp, TEST_TIMEOUT_MS);
      const jest = tsc.code === 0 ? await runOnce('jest', probe, tmp, TEST_TIMEOUT_MS) : undefined;
      const ok = tsc.code === 0 && jest?.code === 0;
      npmTest = { ok, wallMs: tsc.ms + (jest?.ms ?? 0), typecheckMs: tsc.ms, jestMs: jest?.ms ?? 0 };
      process.stderr.write(` ${seconds(npmTest.wallMs)}${ok ? '' : ' (FAILED)'}\n`);
      if (!ok) process.stderr.write(`${(jest ?? tsc).output.split('\n').slice(-30).join('\n')}\n`);
    }

    const aOverB = a.wallMs.median / b.wallMs.median;
    const aOverC = a.wallMs.median / c.wallMs.median;
    const memory = probe.kind === 'gnu-time' ? `GNU time %M (${probe.bin})` : 'process.resourceUsage().maxRSS of every Node process';
    const peakSynthMb = Math.max(...[a, ...rows.filter((r) => r.key.startsWith('mcp+'))].map((r) => r.maxRssMb ?? 0));
    const targets = {
      synthAtMost1s: a.wallMs.median <= 1000,
      atLeast5xFasterThanB: b.wallMs.median >= 5 * a.wallMs.median,
      plus100McpServersAtMost300ms: extra.find((e) => e.servers === 100)?.addedMs === undefined
        ? null : extra.find((e) => e.servers === 100)!.addedMs! <= 300,
      npmTestAtMost60s: npmTest ? npmTest.ok && npmTest.wallMs <= 60_000 : null,
      peakSynthMemoryAtMost300MB: peakSynthMb > 0 ? peakSynthMb <= 300 : null,
    };

    const results = {
      generatedAt: new Date().toISOString(),
      machine: { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length },
      runsPerCommand: runs,
      warmupRuns: 1,
      memoryMeasure: memory,
      commands: Object.fromEntries(rows.map((r) => [r.key, r])),
      ratios: { aOverB, aOverC, bOverA: 1 / aOverB },
      outputsOfAAndBIdentical: identical,
      extraMcpServers: extra.every((e) => e.wallMs === undefined) ? { note: EXTRA_MCP_NA, rows: extra } : { base: extraBase, rows: extra },
      review,
      npmTest: npmTest ?? null,
      targets,
    };
    fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);

    const lines: string[] = [];
    lines.push(`Synth benchmark: node ${process.version}, ${os.cpus().length} CPUs, ${runs} runs per command after 1 warm-up`);
    lines.push(`peak memory: largest process's max RSS, by ${memory}`);
    lines.push('');
    const head = ['', 'min', 'median', 'max', 'max RSS'];
    const table = rows.map((r) => [r.label, seconds(r.wallMs.min), seconds(r.wallMs.median), seconds(r.wallMs.max),
      r.maxRssMb === undefined ? 'n/a' : `${r.maxRssMb} MB`]);
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
    const fmt = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   ');
    lines.push(fmt(head));
    table.forEach((t) => lines.push(fmt(t)));
    lines.push('');
    rows.forEach((r) => lines.push(`${r.label.slice(0, 5).trim()} = ${r.command}`));
    lines.push('');
    lines.push(`ratios (medians): a/b = ${aOverB.toFixed(3)} (b is ${(1 / aOverB).toFixed(1)}x slower), a/c = ${aOverC.toFixed(2)}`);
    lines.push(`output of (a), (a") and (b): ${identical ? 'byte-identical' : 'DIFFERENT'}`);
    lines.push(`synth with +1/+10/+100 extra MCP servers: ${extra.every((e) => e.addedMs === undefined) ? EXTRA_MCP_NA
      : extra.map((e) => `+${e.servers}: ${seconds(e.wallMs!.median)} (+${e.addedMs!.toFixed(0)} ms, ${e.perServerMs!.toFixed(1)} ms/server)`).join('; ')}`);
    lines.push(`change review (in synth, median): unchanged ${review.unchangedMs.toFixed(0)} ms, +100 MCP servers `
      + `${review.plus100McpServersMs.toFixed(0)} ms, every environment new ${review.allEnvironmentsNewMs.toFixed(0)} ms`);
    lines.push(`npm test (one run): ${npmTest ? `${seconds(npmTest.wallMs)} = tsc --noEmit ${seconds(npmTest.typecheckMs)} + jest ${seconds(npmTest.jestMs)}`
      + `${npmTest.ok ? ', passed' : ', FAILED'}` : 'skipped (--no-test)'}`);
    lines.push(`targets: ${Object.entries(targets).map(([k, v]) => `${k} ${v === null ? 'n/a' : v ? 'yes' : 'NO'}`).join(', ')}`);
    lines.push(`wrote ${path.relative(process.cwd(), RESULTS_FILE)}`);
    console.log(lines.join('\n'));
    if (!identical || (npmTest && !npmTest.ok)) process.exitCode = 1;
  } finally {
    cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** Child mode of the extra-MCP-servers row: synthesizes the configuration of extraMcpServerInputs(n) like main.ts does. */
function synthWithExtraMcpServers(argv: readonly string[]): number {
  const n = Number(argv[0]);
  const inputs = n === 0 ? ENVIRONMENTS : extraMcpServerInputs(n);
  if (!inputs) throw new Error(`extraMcpServerInputs(${n}) is undefined`);
  return main(inputs, argv.slice(1), ROOT);
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv[0] === EXTRA_MCP_FLAG) {
    process.exitCode = synthWithExtraMcpServers(argv.slice(1));
  } else {
    bench(argv).catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = e instanceof BenchUsageError ? 2 : 1;
    });
  }
}
