/**
 * Pure planning step of `npm run secrets`: from the environment's secrets contract and what the
 * cluster holds, decide per Secret whether to create, keep or rotate it, and produce the kubectl
 * calls that do it. Values are generated here (through the injected {@link ValueSources}) but only
 * ever put on a call's stdin; the printed lines name where each value comes from, never the value.
 *
 * Everything is decided before anything runs: one missing operator value fails the whole plan,
 * so a run never leaves half of the Secrets created.
 */
import { K8sObject, KubectlCall, SECRETS_MANAGED_BY, call, FIELD_MANAGER } from './kubectl';
import { OpsEnvironment, SecretKeySpec, SecretSpec } from './environment';

export interface ObservedSecrets {
  /** Namespaces that exist. */
  readonly namespaces: ReadonlySet<string>;
  /** `namespace/name` -> key names, for every Secret of the contract's namespaces. */
  readonly secrets: ReadonlyMap<string, readonly string[]>;
  /** `namespace/name` -> data (base64) of existing Secrets being rotated (to carry operator values over). */
  readonly liveData: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

export interface SecretsPlanOptions {
  /** `--rotate` arguments: a Secret name (every namespace) or `namespace/name`. */
  readonly rotate: readonly string[];
  /** The process environment: operator values and file paths come from it. */
  readonly variables: Readonly<Record<string, string | undefined>>;
}

/** Where values come from; injected so tests can see every value the plan generated. */
export interface ValueSources {
  /** `bytes` strong random bytes as hex (what `openssl rand -hex <bytes>` prints). */
  randomHex(bytes: number): string;
  readFile(file: string): Buffer;
}

export type SecretAction = 'create' | 'keep' | 'rotate' | 'skip';

export interface SecretDecision {
  readonly secret: SecretSpec;
  readonly action: SecretAction;
  /** One line for the plan: where each value comes from, never a value. */
  readonly detail: string;
}

export interface SecretsPlan {
  readonly decisions: readonly SecretDecision[];
  /** Problems that stop the run; when present, `calls` is empty. */
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  /** The printed plan. */
  readonly lines: readonly string[];
  /** Writes, in order (namespaces first). */
  readonly calls: readonly KubectlCall[];
  /** Printed after a rotation: what to restart so pods read the new values. */
  readonly hints: readonly string[];
}

const id = (s: { namespace: string; name: string }): string => `${s.namespace}/${s.name}`;

/**
 * The environment variable that carries an operator-supplied value: `<SECRET>__<KEY>`, upper case,
 * every run of characters other than A-Z and 0-9 replaced by `_`; file keys (a certificate) take a
 * path in `<SECRET>__<KEY>_FILE`. E.g. `PENPOT_SMTP__PENPOT_SMTP_PASSWORD`, `PENPOT_TLS__TLS_CRT_FILE`.
 * Without the namespace: the same Secret in two namespaces (a TLS certificate) gets the same value.
 */
export function operatorVariable(secretName: string, key: string, kind: 'operator' | 'file'): string {
  const norm = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return `${norm(secretName)}__${norm(key)}${kind === 'file' ? '_FILE' : ''}`;
}

/** Existing Secrets whose live data a rotation needs (to keep operator values not given again). */
export function secretsNeedingLiveData(model: OpsEnvironment, existing: ReadonlyMap<string, readonly string[]>, rotate: readonly string[]): SecretSpec[] {
  return model.secrets.filter((s) => existing.has(id(s)) && isRotated(s, rotate) && s.keys.some((k) => k.source.kind !== 'random'));
}

function isRotated(s: SecretSpec, rotate: readonly string[]): boolean {
  return rotate.includes(s.name) || rotate.includes(id(s));
}

interface KeyValue {
  readonly how: string;
  readonly base64?: string;
  readonly error?: string;
}

function resolveValue(s: SecretSpec, k: SecretKeySpec, options: SecretsPlanOptions, live: Readonly<Record<string, string>> | undefined,
  sources: ValueSources): KeyValue {
  const source = k.source;
  if (source.kind === 'random') {
    return { how: `random (${source.bytes} bytes)`, base64: Buffer.from(sources.randomHex(source.bytes), 'utf8').toString('base64') };
  }
  const variable = operatorVariable(s.name, k.key, source.kind);
  const given = options.variables[variable];
  if (given === undefined || given === '') {
    if (live?.[k.key] !== undefined) return { how: 'kept from the live Secret', base64: live[k.key] };
    const what = source.kind === 'file' ? `the path of the file (${source.example})` : `the value (e.g. ${source.example})`;
    return {
      how: `$${variable}`,
      error: `Secret ${id(s)} key ${k.key} (${k.description}): set ${variable} to ${what}${given === '' ? '; it is empty' : ''}`,
    };
  }
  if (source.kind === 'operator') return { how: `from $${variable}`, base64: Buffer.from(given, 'utf8').toString('base64') };
  try {
    return { how: `file $${variable} (${given})`, base64: sources.readFile(given).toString('base64') };
  } catch (err) {
    return { how: `file $${variable}`, error: `Secret ${id(s)} key ${k.key}: cannot read ${given} (from ${variable}): ${(err as Error).message}` };
  }
}

function secretManifest(s: SecretSpec, data: Record<string, string>): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: s.name, namespace: s.namespace, labels: { 'app.kubernetes.io/managed-by': SECRETS_MANAGED_BY } },
    type: s.type,
    data,
  });
}

/** The Namespace object the synthesized manifests declare (labels included), or a bare one. */
function namespaceManifest(model: OpsEnvironment, namespace: string): { object: K8sObject; from: string } {
  for (const app of model.apps) {
    const ns = app.objects.find((o) => o.kind === 'Namespace' && o.metadata.name === namespace);
    if (ns) return { object: ns, from: app.dir };
  }
  return { object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, from: 'no app declares it: a bare Namespace' };
}

const RESTARTABLE: Record<string, string> = { Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset' };

function restartHint(context: string, s: SecretSpec): string[] {
  const targets = s.readBy.map((r) => r.split('/')).filter(([kind]) => kind in RESTARTABLE).map(([kind, name]) => `${RESTARTABLE[kind]}/${name}`);
  const hints: string[] = [];
  if (targets.length > 0) {
    hints.push(`Pods read ${id(s)} only when they start: kubectl --context ${context} -n ${s.namespace} rollout restart ${targets.join(' ')}`);
  }
  const stateful = s.readBy.filter((r) => r.startsWith('StatefulSet/'));
  if (stateful.length > 0) {
    hints.push(`${stateful.join(', ')} reads ${id(s)}: a database takes credentials only when it initialises an empty volume; `
      + 'change them inside the database as well (e.g. ALTER ROLE ... PASSWORD), or its clients can no longer log in.');
  }
  return hints;
}

export function planSecrets(model: OpsEnvironment, observed: ObservedSecrets, options: SecretsPlanOptions, sources: ValueSources): SecretsPlan {
  const errors: string[] = [];
  const warnings: string[] = [];
  const decisions: SecretDecision[] = [];
  const secretCalls: KubectlCall[] = [];
  const hints: string[] = [];
  const context = model.kubeContext;

  for (const arg of options.rotate) {
    if (!model.secrets.some((s) => s.name === arg || id(s) === arg)) {
      errors.push(`--rotate ${arg}: no such Secret in the contract of ${model.name}; allowed: ${[...new Set(model.secrets.map(id))].join(', ') || '(none)'}`);
    }
  }

  for (const s of model.secrets) {
    const liveKeys = observed.secrets.get(id(s));
    const rotate = isRotated(s, options.rotate);
    if (liveKeys !== undefined && !rotate) {
      const missing = s.keys.map((k) => k.key).filter((k) => !liveKeys.includes(k));
      decisions.push({ secret: s, action: 'keep', detail: `exists (${liveKeys.join(', ') || 'no keys'}); --rotate ${s.name} replaces it` });
      if (missing.length > 0) {
        warnings.push(`Secret ${id(s)} exists but lacks ${missing.join(', ')}, which the manifests read; --rotate ${s.name} recreates it`);
      }
      continue;
    }
    const live = liveKeys !== undefined ? observed.liveData.get(id(s)) ?? {} : undefined;
    const values = s.keys.map((k) => ({ key: k.key, ...resolveValue(s, k, options, live, sources) }));
    const problems = values.flatMap((v) => (v.error ? [v.error] : []));
    const detail = values.map((v) => `${v.key} ${v.how}`).join(', ');
    if (problems.length > 0 && s.optional && liveKeys === undefined) {
      decisions.push({ secret: s, action: 'skip', detail: `optional, values not given (${detail})` });
      continue;
    }
    errors.push(...problems);
    const action: SecretAction = liveKeys === undefined ? 'create' : 'rotate';
    decisions.push({ secret: s, action, detail });
    const data = Object.fromEntries(values.map((v) => [v.key, v.base64 ?? '']));
    secretCalls.push(call(context, [action === 'create' ? 'create' : 'replace', '-f', '-'],
      { text: secretManifest(s, data), note: `Secret ${id(s)}, values hidden` }));
    if (action === 'rotate') hints.push(...restartHint(context, s));
  }

  // Two Secrets whose names differ only in punctuation would read the same variable.
  const owners = new Map<string, string>();
  for (const d of decisions.filter((x) => x.action === 'create' || x.action === 'rotate')) {
    for (const k of d.secret.keys) {
      if (k.source.kind === 'random') continue;
      const variable = operatorVariable(d.secret.name, k.key, k.source.kind);
      const owner = `${d.secret.name}/${k.key}`;
      const other = owners.get(variable);
      if (other !== undefined && other !== owner) errors.push(`${variable} would carry both ${other} and ${owner}; rename one of the Secrets`);
      owners.set(variable, owner);
    }
  }

  const namespaceCalls: KubectlCall[] = [];
  const lines: string[] = [`Secrets of environment ${model.name} (context ${context}):`];
  if (model.secrets.length === 0) lines.push('  (the manifests read no Secret)');
  const needed = [...new Set(decisions.filter((d) => d.action === 'create').map((d) => d.secret.namespace))];
  for (const ns of needed.filter((n) => !observed.namespaces.has(n))) {
    const { object, from } = namespaceManifest(model, ns);
    lines.push(`  create  Namespace ${ns} (${from})`);
    namespaceCalls.push(call(context, ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'],
      { text: JSON.stringify(object), note: `Namespace ${ns}` }));
  }
  const width = Math.max(0, ...decisions.map((d) => id(d.secret).length));
  for (const d of decisions) lines.push(`  ${d.action.padEnd(6)}  ${id(d.secret).padEnd(width)}  ${d.detail}`);

  return {
    decisions,
    errors,
    warnings,
    lines,
    calls: errors.length > 0 ? [] : [...namespaceCalls, ...secretCalls],
    hints: errors.length > 0 ? [] : hints,
  };
}
