/**
 * OpenAPI schema validation through kubernetes-models (Kubernetes 1.33 schemas) and
 * @kubernetes-models/argo-cd. These catch wrong types and missing required fields; they do not
 * catch unknown fields, bad names or wiring mistakes (see wiring.ts for those).
 */
import { loadCrdModelsOnce } from './crd-schemas';
import { asRecord, asString, Finding, findingAt, ManifestObject } from './model';
import { ModelClass, registeredModel } from './model-registry';

export const SCHEMA_CHECKS = {
  invalid: 'schema/invalid',
  unknownKind: 'schema/unknown-kind',
  missingMetadata: 'schema/missing-metadata',
} as const;

export { registerModel } from './model-registry';
export type { ModelClass } from './model-registry';

const moduleCache = new Map<string, Record<string, unknown> | undefined>();

/** Schema packages by API group; anything else is looked up in kubernetes-models. */
const GROUP_PACKAGES: Readonly<Record<string, string>> = {
  'argoproj.io': '@kubernetes-models/argo-cd',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

// The packages lay their modules out exactly like apiVersions (`kubernetes-models/apps/v1`), so
// the module path is derived instead of listed; the shape test keeps odd strings out of require.
const API_VERSION = /^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?$/;

function moduleFor(apiVersion: string): Record<string, unknown> | undefined {
  if (!API_VERSION.test(apiVersion)) return undefined;
  if (moduleCache.has(apiVersion)) return moduleCache.get(apiVersion);
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const pkg = GROUP_PACKAGES[group] ?? 'kubernetes-models';
  let mod: Record<string, unknown> | undefined;
  try {
    mod = require(`${pkg}/${apiVersion}`);
  } catch {
    // Not exported by the package: an apiVersion we have no schema for.
    mod = undefined;
  }
  moduleCache.set(apiVersion, mod);
  return mod;
}

/**
 * The model class for apiVersion/kind, or undefined. Only top-level resources qualify: the
 * modules also export nested types (`Container`, ...), which carry no static apiVersion/kind.
 */
export function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  loadCrdModelsOnce();
  const own = registeredModel(apiVersion, kind);
  if (own) return own;
  const candidate = moduleFor(apiVersion)?.[kind] as any;
  if (typeof candidate === 'function' && candidate.apiVersion === apiVersion && candidate.kind === kind) {
    return candidate as ModelClass;
  }
  return undefined;
}

/** JSON pointer from the validator (`/spec/ports/0/port`) as a finding field (`spec.ports[0].port`). */
export function pointerToField(pointer: string): string {
  let field = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^[0-9]+$/.test(seg)) field += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) field += field ? `.${seg}` : seg;
    else field += `[${JSON.stringify(seg)}]`;
  }
  return field;
}

function validationFinding(m: ManifestObject, error: unknown): Finding {
  const e = error as { message?: unknown; errors?: unknown };
  const text = typeof e?.message === 'string' ? e.message : String(error);
  const first = Array.isArray(e?.errors) ? asRecord(e.errors[0]) : {};
  const pointer = asString(first.instancePath);
  const field = pointer ? pointerToField(pointer) : undefined;
  return findingAt(SCHEMA_CHECKS.invalid, m, `does not match the ${asRecord(m.doc).apiVersion} ${asRecord(m.doc).kind} schema: ${text}`, field || undefined);
}

export function checkSchemas(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of objects) {
    const doc = asRecord(m.doc);
    if (doc !== m.doc) {
      findings.push(findingAt(SCHEMA_CHECKS.missingMetadata, m, 'document is not a mapping, so it is no Kubernetes object'));
      continue;
    }
    const apiVersion = asString(doc.apiVersion);
    const kind = asString(doc.kind);
    const missing = [
      apiVersion ? undefined : 'apiVersion',
      kind ? undefined : 'kind',
      asString(asRecord(doc.metadata).name) ? undefined : 'metadata.name',
    ].filter((f): f is string => f !== undefined);
    for (const field of missing) {
      findings.push(findingAt(SCHEMA_CHECKS.missingMetadata, m, `has no ${field}`, field));
    }
    if (!apiVersion || !kind) continue;
    const cls = modelFor(apiVersion, kind);
    if (!cls) {
      findings.push(findingAt(SCHEMA_CHECKS.unknownKind, m,
        `has no known schema for ${apiVersion} ${kind}; register one with registerModel() or fix apiVersion/kind`, 'kind'));
      continue;
    }
    try {
      // A copy, so that nothing the model does to its input can leak into later checks.
      new cls(structuredClone(doc)).validate();
    } catch (error) {
      findings.push(validationFinding(m, error));
    }
  }
  return findings;
}
