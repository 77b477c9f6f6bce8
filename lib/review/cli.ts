/**
 * The review as the commands print it: `npm run synth` ends with it (against HEAD's dist/), and
 * `npm run diff -- [--base <rev>]` prints it with the changed fields and gates on it.
 */
import { parseArgs } from 'node:util';
import { ConfigError, resolveEnvironments, selectEnvironments } from '../config/resolve';
import { EnvironmentInput } from '../config/types';
import { DIST_DIR } from '../platform';
import { renderedObjects, synthesizeEnvironment } from '../synth';
import { reviewAgainstRevision, SynthesizedFile } from './against-revision';
import { EnvironmentReview } from './model';
import { formatSummary, formatVerdict, formatWarning } from './report';
import { hasBlocking } from './review';

export interface ReviewOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

function print(reviews: readonly EnvironmentReview[], base: string, fields: boolean, io: ReviewOutput, warningsTo: 'out' | 'err'): void {
  formatSummary(reviews, { base, fields }).forEach((l) => io.out(l));
  const warn = warningsTo === 'out' ? io.out : io.err;
  for (const w of reviews.flatMap((r) => r.warnings)) formatWarning(w).forEach((l) => warn(l));
  io.out(formatVerdict(reviews));
}

/**
 * The end of `npm run synth`: the synthesized files against HEAD's `dist/`. Environments of
 * HEAD that are no longer configured are shown only for a full synth into `dist/` (which prunes them).
 */
export function printSynthReview(
  repoRoot: string,
  synthesized: { readonly envs: readonly { name: string; kubeContext?: string }[]; readonly files: readonly SynthesizedFile[]; readonly full: boolean },
  io: ReviewOutput,
): void {
  const started = process.hrtime.bigint();
  const r = reviewAgainstRevision({
    repoRoot, rev: 'HEAD', distDir: DIST_DIR, envs: synthesized.envs, files: synthesized.files, includeUnconfigured: synthesized.full,
    objectsOf: renderedObjects,
  });
  if (!r.ok) {
    io.out(`Change review skipped: ${r.message}; it compares with the committed ${DIST_DIR}/ (git show HEAD:${DIST_DIR}/...).`);
    return;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  print(r.reviews, `HEAD's ${DIST_DIR}/ (git show HEAD:${DIST_DIR}/...; ${ms.toFixed(0)} ms)`, false, io, 'err');
}

export const DIFF_USAGE = `Usage: npm run diff -- [--base <git rev>] [--env <name>[,<name>]]

Synthesizes the working tree's configuration in memory (dist/ is not written) and reviews it against the
dist/ committed at <git rev>: objects added, changed (with each changed field) and removed, by kind/namespace/name,
and a warning with what to do for every change Argo CD cannot apply or that risks data.

  --base <git rev>    the revision to compare with (a commit, branch or tag, e.g. origin/main) [HEAD]
  --env <name>        only these environments (repeatable or comma-separated) [all, plus any the base has]
  -h, --help          this text

Exit codes: 0 no blocking change, 1 a blocking change (or an invalid configuration), 2 bad usage or unknown revision.`;

export const DIFF_OPTIONS = {
  base: { type: 'string' },
  env: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `npm run diff`; returns the exit code. */
export function diffMain(inputs: readonly EnvironmentInput[], argv: readonly string[], repoRoot: string, io: ReviewOutput): number {
  let values: { base?: string; env?: string[]; help?: boolean };
  try {
    values = parseArgs({
      args: [...argv],
      options: DIFF_OPTIONS,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${DIFF_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(DIFF_USAGE);
    return 0;
  }
  const only = (values.env ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const known = inputs.map((i) => i.name);
  const unknown = only.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    io.err(`--env ${unknown.map((n) => JSON.stringify(n)).join(', ')} is not an environment; allowed: ${known.join(', ')}\n\n${DIFF_USAGE}`);
    return 2;
  }
  const base = values.base ?? 'HEAD';
  let files: SynthesizedFile[];
  let envs: { name: string; kubeContext: string }[];
  try {
    const selected = selectEnvironments(resolveEnvironments(inputs), only);
    envs = selected.map((e) => ({ name: e.name, kubeContext: e.operations.kubeContext }));
    files = selected.flatMap(synthesizeEnvironment);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(err.message.replace('nothing was written', 'nothing was reviewed'));
      return 1;
    }
    throw err;
  }
  const r = reviewAgainstRevision({ repoRoot, rev: base, distDir: DIST_DIR, envs, files, includeUnconfigured: only.length === 0, objectsOf: renderedObjects });
  if (!r.ok) {
    io.err(`--base: ${r.message}\n\n${DIFF_USAGE}`);
    return 2;
  }
  print(r.reviews, `${base}'s ${DIST_DIR}/`, true, io, 'out');
  return hasBlocking(r.reviews) ? 1 : 0;
}
