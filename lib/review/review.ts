import { fieldChanges } from './fields';
import { ContractSecret, EnvironmentFiles, EnvironmentReview, ObjectChange, ReviewObject, ReviewWarning } from './model';
import { isManifestFile, parseManifests, reviewObjects } from './objects';
import { changeWarnings, contractWarnings, removalWarnings, RuleContext } from './rules';

export const CONTRACT_FILE = 'secrets.json';

export interface ReviewInput {
  readonly env: string;
  /** The base (e.g. the committed `dist/<env>/`); undefined when the environment is not in it. */
  readonly before?: EnvironmentFiles;
  /** The new synthesis; undefined when the environment is no longer configured. */
  readonly after?: EnvironmentFiles;
  readonly kubeContext?: string;
  /** Objects of files of `after` already in memory (a synthesis of this process), so their YAML is not parsed back. */
  readonly afterObjects?: ReadonlyMap<string, readonly unknown[]>;
}

function objectsOf(files: EnvironmentFiles | undefined, changed: readonly string[], parsed?: ReadonlyMap<string, readonly unknown[]>): Map<string, ReviewObject> {
  const out = new Map<string, ReviewObject>();
  for (const file of changed) {
    const text = files?.get(file);
    if (text === undefined) continue;
    const docs = parsed?.get(file);
    for (const o of docs ? reviewObjects(file, docs) : parseManifests(file, text)) out.set(o.id, o);
  }
  return out;
}

function contractOf(text: string | undefined): ContractSecret[] {
  if (text === undefined) return [];
  const parsed = JSON.parse(text);
  return Array.isArray(parsed?.secrets) ? parsed.secrets : [];
}

const ORDER: Record<ObjectChange['type'], number> = { removed: 0, changed: 1, added: 2 };

function subjectOf(c: ObjectChange): ReviewObject {
  return c.type === 'added' ? c.after : c.before;
}

/**
 * Compares two syntheses of one environment. Only files whose text differs are parsed, so an
 * unchanged environment costs one string comparison per file.
 */
export function reviewEnvironment(input: ReviewInput): EnvironmentReview {
  const before = input.before ?? new Map<string, string>();
  const after = input.after ?? new Map<string, string>();
  const differing = [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f)).sort();
  const manifests = differing.filter(isManifestFile);
  const old = objectsOf(input.before, manifests);
  const now = objectsOf(input.after, manifests, input.afterObjects);

  const changes: ObjectChange[] = [];
  for (const [id, o] of old) if (!now.has(id)) changes.push({ type: 'removed', before: o });
  for (const [id, o] of now) {
    const prev = old.get(id);
    if (!prev) {
      changes.push({ type: 'added', after: o });
      continue;
    }
    const fields = fieldChanges(prev.doc, o.doc);
    // The same object in another app's folder changes which Argo CD Application owns it.
    if (prev.file !== o.file) fields.unshift({ path: '(file)', before: prev.file, after: o.file });
    if (fields.length > 0) changes.push({ type: 'changed', before: prev, after: o, fields });
  }
  changes.sort((a, b) => ORDER[a.type] - ORDER[b.type] || subjectOf(a).id.localeCompare(subjectOf(b).id));

  const ctx: RuleContext = { env: input.env, kubeContext: input.kubeContext };
  const warnings: ReviewWarning[] = [
    ...removalWarnings(ctx, changes),
    ...changes.flatMap((c) => (c.type === 'changed' ? changeWarnings(ctx, c) : [])),
    ...(differing.includes(CONTRACT_FILE) ? contractWarnings(ctx, contractOf(before.get(CONTRACT_FILE)), contractOf(after.get(CONTRACT_FILE))) : []),
  ].sort((a, b) => (a.level === b.level ? 0 : a.level === 'blocking' ? -1 : 1));

  return {
    env: input.env,
    isNew: input.before === undefined,
    isRemoved: input.after === undefined,
    changes,
    otherFiles: differing.filter((f) => !isManifestFile(f)),
    warnings,
  };
}

export function hasBlocking(reviews: readonly EnvironmentReview[]): boolean {
  return reviews.some((r) => r.warnings.some((w) => w.level === 'blocking'));
}
