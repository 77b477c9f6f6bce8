/**
 * Pure planning step of `npm run up`: check that every Secret the app reads exists, then
 * server-side apply the app's folder and wait for its workloads to roll out. Server-side apply
 * with one stable field manager is idempotent: applying the same files again changes nothing.
 */
import { referencedSecretNames } from '../secrets-contract';
import { OpsApp, OpsEnvironment, SecretSpec } from './environment';
import { FIELD_MANAGER, K8sObject, KubectlCall, call, describeObject } from './kubectl';

/** Argo CD hooks (`argocd.argoproj.io/hook`) run only inside an Argo CD sync, never on a plain apply. */
export const ARGO_HOOK_ANNOTATION = 'argocd.argoproj.io/hook';

export interface UpOptions {
  /** kubectl duration for each rollout, e.g. `300s`. */
  readonly timeout: string;
}

export interface ObservedUp {
  /** `namespace/name` -> key names of the Secrets that exist. */
  readonly secrets: ReadonlyMap<string, readonly string[]>;
}

export interface UpPlan {
  readonly errors: readonly string[];
  readonly lines: readonly string[];
  readonly calls: readonly KubectlCall[];
}

export interface RequiredSecret {
  readonly secret: SecretSpec;
  /** Objects of the app that read it. */
  readonly readBy: readonly string[];
}

const ROLLOUT_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

/** The contract's Secrets that objects of this app read (optional ones excluded). */
export function requiredSecrets(model: OpsEnvironment, app: OpsApp): RequiredSecret[] {
  const readers = new Map<string, string[]>();
  for (const obj of app.objects) {
    for (const name of referencedSecretNames(obj)) {
      const key = `${obj.metadata.namespace ?? ''}/${name}`;
      readers.set(key, [...(readers.get(key) ?? []), `${obj.kind}/${obj.metadata.name}`]);
    }
  }
  return model.secrets
    .filter((s) => !s.optional && readers.has(`${s.namespace}/${s.name}`))
    .map((s) => ({ secret: s, readBy: readers.get(`${s.namespace}/${s.name}`)! }));
}

/** Namespaces whose Secrets `up` must look at. */
export function secretNamespaces(model: OpsEnvironment, app: OpsApp): string[] {
  return [...new Set(requiredSecrets(model, app).map((r) => r.secret.namespace))];
}

function isHook(obj: K8sObject): boolean {
  return obj.metadata.annotations?.[ARGO_HOOK_ANNOTATION] !== undefined;
}

export function planUp(model: OpsEnvironment, app: OpsApp, observed: ObservedUp, options: UpOptions): UpPlan {
  const context = model.kubeContext;
  const errors: string[] = [];
  for (const { secret, readBy } of requiredSecrets(model, app)) {
    const keys = observed.secrets.get(`${secret.namespace}/${secret.name}`);
    const create = `create it first: npm run secrets -- --env ${model.name}`;
    if (keys === undefined) {
      errors.push(`Secret ${secret.namespace}/${secret.name} is missing (read by ${readBy.join(', ')}); ${create}`);
      continue;
    }
    const missing = secret.keys.map((k) => k.key).filter((k) => !keys.includes(k));
    if (missing.length > 0) {
      errors.push(`Secret ${secret.namespace}/${secret.name} lacks ${missing.join(', ')} (read by ${readBy.join(', ')}); `
        + `recreate it: npm run secrets -- --env ${model.name} --rotate ${secret.name}`);
    }
  }

  const hooks = app.objects.filter(isHook);
  const applied = app.objects.filter((o) => !isHook(o));
  const applyArgs = ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`];
  // The folder itself when it holds nothing to leave out; otherwise the same objects minus the hooks, on stdin.
  const apply = hooks.length === 0
    ? call(context, [...applyArgs, '-f', `${app.dir}/`])
    : call(context, [...applyArgs, '-f', '-'], {
      text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: applied }),
      note: `the ${applied.length} objects of ${app.dir}/ that are not Argo CD hooks`,
    });
  const rollouts = applied.filter((o) => ROLLOUT_KINDS.includes(o.kind)).map((o) =>
    call(context, ['-n', o.metadata.namespace!, 'rollout', 'status', `${o.kind.toLowerCase()}/${o.metadata.name}`, `--timeout=${options.timeout}`]));

  const lines = [
    `Up ${model.name}/${app.name} (context ${context}): server-side apply of ${app.dir}/ (${applied.length} objects, field manager ${FIELD_MANAGER}), `
      + `then wait up to ${options.timeout} for each of ${rollouts.length} rollouts.`,
    ...hooks.map((h) => `  skipped ${describeObject(h)}: an Argo CD ${h.metadata.annotations![ARGO_HOOK_ANNOTATION]} hook runs only in an Argo CD sync`),
  ];
  return { errors, lines, calls: errors.length > 0 ? [] : [apply, ...rollouts] };
}
