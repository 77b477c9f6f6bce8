import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { riskWarnings } from './config/kubernetes-mcp-rbac';
import { ConfigError, resolveEnvironments, selectEnvironments } from './config/resolve';
import { locateFields } from './config/schema/locate';
import { EnvironmentInput } from './config/types';
import { DIST_DIR } from './platform';
import { printSynthReview } from './review/cli';
import { routingNotices } from './routing/routing-doc';
import { OutputFile, pruneEnvironments, synthesizeEnvironment, writeEnvironments } from './synth';

/** Where environment files live, relative to the project root (for error locations). */
export const ENVIRONMENTS_DIR = path.join('lib', 'environments');

export interface SynthOptions {
  /** Environments to synthesize; none means all (and folders of removed environments are pruned). */
  readonly only: readonly string[];
  /** Output folder. */
  readonly outdir: string;
}

export interface SynthResult {
  readonly environments: readonly string[];
  readonly files: readonly OutputFile[];
  /** Loud warnings about risky choices of the synthesized environments (printed by {@link main}). */
  readonly warnings: readonly string[];
  /** kubectl context of each synthesized environment (for the commands the change review prints). */
  readonly kubeContexts: Readonly<Record<string, string>>;
}

/**
 * Validates the configuration, synthesizes in memory, and only then writes: a bad value
 * throws a {@link ConfigError} before any file is touched.
 */
export function synth(inputs: readonly EnvironmentInput[], options: SynthOptions): SynthResult {
  const envs = selectEnvironments(resolveEnvironments(inputs), options.only);
  const files = envs.flatMap(synthesizeEnvironment);
  const names = envs.map((e) => e.name);
  writeEnvironments(options.outdir, names, files);
  if (options.only.length === 0) pruneEnvironments(options.outdir, names);
  return {
    environments: names, files, warnings: envs.flatMap((e) => [...riskWarnings(e), ...routingNotices(e)]),
    kubeContexts: Object.fromEntries(envs.map((e) => [e.name, e.operations.kubeContext])),
  };
}

export const SYNTH_OPTIONS = {
  env: { type: 'string', multiple: true },
  outdir: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const SYNTH_USAGE = `Usage: npm run synth -- [--env <name>[,<name>]] [--outdir <dir>]

Validates every environment of lib/environments/, synthesizes them in memory and only then writes dist/<env>/
(a bad value fails naming the field; nothing is written). Ends with the change review against HEAD's dist/.

  --env <name>     only these environments (repeatable or comma-separated); the others' folders stay [all]
  --outdir <dir>   write here instead of dist/ [dist]
  -h, --help       this text

Exit codes: 0 written, 1 invalid configuration, 2 bad usage.`;

export function parseSynthArgs(argv: readonly string[], cwd: string): SynthOptions & { readonly help?: boolean } {
  const { values } = parseArgs({ args: [...argv], options: SYNTH_OPTIONS, strict: true, allowPositionals: false });
  return {
    ...(values.help ? { help: true } : {}),
    only: (values.env ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean),
    outdir: path.resolve(cwd, values.outdir ?? DIST_DIR),
  };
}

/**
 * `cdk8s synth` empties its output folder before it runs the app. Pointing it at a link to
 * dist/ (see cdk8s.yaml) keeps dist/ intact when the configuration is invalid, while the CLI
 * still lists what was written.
 */
function linkCdk8sOutdir(outdir: string): void {
  const cliOutdir = process.env.CDK8S_OUTDIR;
  if (!cliOutdir || path.resolve(cliOutdir) === outdir) return;
  fs.rmSync(cliOutdir, { recursive: true, force: true });
  fs.symlinkSync(path.relative(path.dirname(path.resolve(cliOutdir)), outdir), cliOutdir);
}

/** Entry point of `npm run synth` and `cdk8s synth`; returns the process exit code. */
export function main(inputs: readonly EnvironmentInput[], argv: readonly string[], cwd: string): number {
  const started = process.hrtime.bigint();
  try {
    const options = parseSynthArgs(argv, cwd);
    if (options.help) {
      console.log(SYNTH_USAGE);
      return 0;
    }
    const result = synth(inputs, options);
    linkCdk8sOutdir(options.outdir);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`Synthesized ${result.environments.join(', ')} into ${path.relative(cwd, options.outdir) || '.'}/ `
      + `(${result.files.length} files, ${ms.toFixed(0)} ms)`);
    for (const warning of result.warnings) console.warn(`\n!!! WARNING !!! ${warning}`);
    printSynthReview(cwd, {
      envs: result.environments.map((name) => ({ name, kubeContext: result.kubeContexts[name] })),
      files: result.files,
      full: options.only.length === 0 && options.outdir === path.resolve(cwd, DIST_DIR),
    }, { out: console.log, err: console.warn });
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      const locations = locateFields(err.issues.map((i) => i.field), path.join(cwd, ENVIRONMENTS_DIR), cwd);
      console.error(ConfigError.describe(err.issues, locations));
      return 1;
    }
    if (String((err as NodeJS.ErrnoException | undefined)?.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(err as Error).message}\n\n${SYNTH_USAGE}`);
      return 2;
    }
    throw err;
  }
}
