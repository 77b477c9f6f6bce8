/**
 * Turns what the input schema found into config issues that name the full field
 * (`environments.<env>.kubernetesMcp.enabeld`) and say what is allowed, with a "did you mean"
 * for misspelt keys and values. Also refuses settings given under a switched-off feature.
 */
import { z } from 'zod';
import type { ConfigIssue } from '../resolve';
import { environmentInput, FEATURE_SWITCHES } from './environment';
import { routingInputIssues } from '../../routing/config';

type Path = readonly PropertyKey[];

const show = (v: unknown): string => JSON.stringify(v);

/** `a.b[0]["docker.io"]`: identifiers dotted, indexes and other keys bracketed. */
export function formatPath(prefix: string, path: Path): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const k = String(key);
    return /^[A-Za-z_$][\w$]*$/.test(k) ? `${out}.${k}` : `${out}[${show(k)}]`;
  }, prefix);
}

function valueAt(root: unknown, path: Path): unknown {
  let v: any = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[key as any];
  }
  return v;
}

/** Optimal string alignment distance (a transposition counts as one edit). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known name closest to a misspelt one, if it is close enough to be a typo. */
export function closest(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase) return sameCase;
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = editDistance(lower, name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.name : undefined;
}

/** The schema that applies at `path` of `root` (following the input through unions), if any. */
function schemaAt(schema: z.ZodType, path: Path, root: unknown): z.ZodType | undefined {
  let s: any = schema;
  let i = 0;
  for (;;) {
    const def = s?._zod?.def;
    if (!def) return undefined;
    switch (def.type) {
      case 'optional': case 'nullable': case 'default': case 'readonly': case 'nonoptional': case 'catch':
        s = def.innerType; continue;
      case 'pipe': s = def.in; continue;
      case 'union': {
        const here = valueAt(root, path.slice(0, i));
        const match = def.options.find((o: z.ZodType) => unionOptionFits(o, here));
        if (!match) return undefined;
        s = match; continue;
      }
      default:
    }
    if (i === path.length) return s;
    const key = path[i++];
    if (def.type === 'object') s = def.shape[key as string];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return undefined;
  }
}

/** Whether a union option is the one the value means: its literal discriminators match, and it lists the value's keys best. */
function unionOptionFits(option: any, value: unknown): boolean {
  const shape = option?._zod?.def?.shape;
  if (!shape || value === null || typeof value !== 'object') return false;
  for (const [key, field] of Object.entries<any>(shape)) {
    const values: unknown[] | undefined = field?._zod?.def?.type === 'literal' ? field._zod.def.values : undefined;
    if (values && !values.includes((value as any)[key])) return false;
  }
  const keys = Object.keys(value);
  return keys.length === 0 || keys.some((k) => k in shape);
}

function knownKeys(path: Path, root: unknown): string[] {
  const s: any = schemaAt(environmentInput, path, root);
  return s?._zod?.def?.type === 'object' ? Object.keys(s._zod.def.shape) : [];
}

const KIND: Record<string, string> = {
  string: 'a string', number: 'a number', boolean: 'true or false', array: 'a list', object: 'an object (a { ... } block)',
  record: 'a map of names to strings ({ name: "value" })',
};

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${show(value)} (a ${typeof value})`;
}

function issueProblems(issue: z.core.$ZodIssue, root: unknown, base: Path = []): { path: Path; problem: string }[] {
  const path = [...base, ...issue.path];
  const value = valueAt(root, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(path, root);
      return issue.keys.map((key) => {
        const guess = closest(key, known);
        return {
          path: [...path, key],
          problem: guess ? `unknown setting; did you mean ${guess}?` : `unknown setting; allowed: ${known.join(', ')}`,
        };
      });
    }
    case 'invalid_type':
      if (value === undefined) return [{ path, problem: `is missing; allowed: ${KIND[issue.expected] ?? issue.expected} (this setting is required)` }];
      return [{ path, problem: `${describe(value)} has the wrong type; allowed: ${KIND[issue.expected] ?? issue.expected}` }];
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v));
      const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
      return [{ path, problem: `${show(value)} is not allowed; ${guess ? `did you mean ${show(guess)}? ` : ''}allowed: ${allowed.join(', ')}` }];
    }
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        const guess = typeof value === 'string' ? closest(value, options) : undefined;
        return [{ path, problem: `${show(value)} is not allowed; ${guess ? `did you mean ${show(guess)}? ` : ''}allowed: ${options.join(', ')}` }];
      }
      // No discriminator: report the branch the value is closest to (the one with the fewest problems).
      const branches = issue.errors.filter((e) => e.length > 0).sort((a, b) => a.length - b.length);
      if (branches.length === 0) return [{ path, problem: issue.message }];
      return branches[0].flatMap((inner) => issueProblems(inner, root, path));
    }
    default:
      return [{ path, problem: issue.message }];
  }
}

/** Settings given under a feature that is off (explicitly or by default): they would have no effect. */
function disabledFeatureIssues(input: unknown): { path: Path; problem: string }[] {
  const out: { path: Path; problem: string }[] = [];
  for (const { path, enabledByDefault } of FEATURE_SWITCHES) {
    const section = valueAt(input, path);
    if (section === null || typeof section !== 'object') continue;
    const explicit = (section as { enabled?: boolean }).enabled;
    if (explicit ?? enabledByDefault) continue;
    const name = path.join('.');
    for (const key of Object.keys(section).filter((k) => k !== 'enabled')) {
      out.push({
        path: [...path, key],
        problem: `is set but ${name}.enabled is false${explicit === undefined ? ' (its default)' : ''}, so it would have no effect; `
          + `allowed: set ${name}.enabled: true, or remove ${name}.${key}`,
      });
    }
  }
  return out;
}

/** How issues of one environment are labelled: by its name, or by its position when it has none. */
export function environmentLabel(raw: unknown, index: number): string {
  const name = raw !== null && typeof raw === 'object' ? (raw as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name !== '' ? `environments.${name}` : `environments[${index}]`;
}

/**
 * Checks one environment file's value against the input schema. Returns the typed input when its
 * shape is right and no setting sits under a switched-off feature, otherwise the issues.
 */
export function parseEnvironmentInput(raw: unknown, index: number): { input?: z.output<typeof environmentInput>; issues: ConfigIssue[] } {
  const label = environmentLabel(raw, index);
  const parsed = environmentInput.safeParse(raw);
  const found = parsed.success ? [...disabledFeatureIssues(parsed.data), ...routingInputIssues(parsed.data)] : parsed.error.issues.flatMap((i) => issueProblems(i, raw));
  const issues = found.map(({ path, problem }) => ({ field: formatPath(label, path), problem }));
  return issues.length === 0 && parsed.success ? { input: parsed.data, issues } : { issues };
}
