import * as path from 'node:path';
import { EnvironmentReview } from './model';
import { reviewEnvironment } from './review';
import { readCommittedDist } from './revision';

export interface SynthesizedFile {
  /** Relative to the output folder: `<env>/...`. */
  readonly path: string;
  readonly content: string;
}

/** Objects already in memory for a synthesized file (lib/synth.ts `renderedObjects`), else its YAML is parsed. */
export type ObjectsOf = (file: SynthesizedFile) => readonly unknown[] | undefined;

export interface RevisionReviewInput {
  readonly repoRoot: string;
  readonly rev: string;
  /** The committed output folder, relative to `repoRoot` (`dist`). */
  readonly distDir: string;
  readonly envs: readonly { readonly name: string; readonly kubeContext?: string }[];
  readonly files: readonly SynthesizedFile[];
  /** Also review environments of the base that were not synthesized (a full synth prunes them). */
  readonly includeUnconfigured: boolean;
  readonly objectsOf?: ObjectsOf;
}

export type RevisionReview =
  | { readonly ok: true; readonly reviews: readonly EnvironmentReview[] }
  | { readonly ok: false; readonly reason: 'no-repository' | 'bad-revision'; readonly message: string };

/** Reviews the synthesized files against `<rev>:<distDir>/`, environment by environment. */
export function reviewAgainstRevision(input: RevisionReviewInput): RevisionReview {
  const prefix = path.posix.normalize(input.distDir).replace(/\/$/, '');
  const current = new Map(input.files.map((f) => [`${prefix}/${f.path}`, f.content]));
  const committed = readCommittedDist(input.repoRoot, input.rev, prefix, current);
  if (!committed.ok) return committed;

  const byEnv = (entries: Iterable<[string, string]>, strip: string) => {
    const out = new Map<string, Map<string, string>>();
    for (const [file, content] of entries) {
      const rel = file.slice(strip.length);
      const slash = rel.indexOf('/');
      if (slash <= 0) continue;
      const env = rel.slice(0, slash);
      if (!out.has(env)) out.set(env, new Map());
      out.get(env)!.set(rel.slice(slash + 1), content);
    }
    return out;
  };
  const before = byEnv(committed.files, `${prefix}/`);
  const after = byEnv(input.files.map((f) => [f.path, f.content] as [string, string]), '');
  const names = input.envs.map((e) => e.name);
  const unconfigured = input.includeUnconfigured ? [...before.keys()].filter((e) => !names.includes(e)).sort() : [];
  const inMemory = new Map<string, Map<string, readonly unknown[]>>();
  for (const f of input.files) {
    const objects = input.objectsOf?.(f);
    if (!objects) continue;
    const [env, ...rest] = f.path.split('/');
    if (!inMemory.has(env)) inMemory.set(env, new Map());
    inMemory.get(env)!.set(rest.join('/'), objects);
  }
  const reviews = [
    ...input.envs.map((e) => reviewEnvironment({
      env: e.name, before: before.get(e.name), after: after.get(e.name) ?? new Map(), kubeContext: e.kubeContext, afterObjects: inMemory.get(e.name),
    })),
    ...unconfigured.map((env) => reviewEnvironment({ env, before: before.get(env) })),
  ];
  return { ok: true, reviews };
}
