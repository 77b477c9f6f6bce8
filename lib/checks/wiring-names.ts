/**
 * Identity rules: names and labels the API server would reject (schemas do not check string
 * formats), objects that would overwrite each other, and env vars set twice (the last one wins
 * silently, so the first value in the generator is dead code that looks alive).
 */
import {
  asArray, asRecord, containerEntriesOf, Finding, findingAt, groupOf, isClusterScoped, kindOf, ManifestObject,
  nameOf, namespaceOf, podSpecPathOf,
} from './model';

export const NAME_CHECKS = {
  dns1123: 'wiring/dns1123-name',
  duplicate: 'wiring/duplicate-object',
  envDuplicate: 'wiring/env-duplicate',
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && DNS_LABEL.test(s);
}

export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && DNS_SUBDOMAIN.test(s);
}

/** Problem with a label key (`[prefix/]name`), or undefined when valid. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDnsSubdomain(prefix)) return `label key '${key}' has a prefix that is not a DNS-1123 subdomain`;
  if (name.length > 63 || !LABEL_NAME.test(name)) {
    return `label key '${key}' must have a name of at most 63 characters: alphanumerics, '-', '_', '.', starting and ending alphanumeric`;
  }
  return undefined;
}

/** Problem with a label value, or undefined when valid. */
export function labelValueProblem(key: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return `label '${key}' has a ${typeof value} value; label values must be strings`;
  if (value === '' || (value.length <= 63 && LABEL_NAME.test(value))) return undefined;
  return `label '${key}' has value '${value}': at most 63 characters, alphanumerics, '-', '_', '.', starting and ending alphanumeric`;
}

// These kinds name DNS records (Service) or are used as one (Namespace), so dots are not allowed.
const LABEL_NAMED = new Set(['Service', 'Namespace']);
// RBAC objects are validated as path segments by the API server (e.g. 'system:aggregate-to-view').
const PATH_SEGMENT_NAMED = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

function nameProblem(kind: string, name: string): string | undefined {
  if (PATH_SEGMENT_NAMED.has(kind)) {
    return name === '.' || name === '..' || /[/%]/.test(name) ? `name '${name}' may not be '.', '..' or contain '/' or '%'` : undefined;
  }
  if (LABEL_NAMED.has(kind)) {
    return isDnsLabel(name) ? undefined : `name '${name}' is not a DNS-1123 label (at most 63 characters: lowercase alphanumerics and '-', no dots)`;
  }
  return isDnsSubdomain(name) ? undefined : `name '${name}' is not a DNS-1123 subdomain (at most 253 characters: lowercase alphanumerics, '-' and '.')`;
}

function labelFindings(m: ManifestObject, labels: unknown, field: string): Finding[] {
  const findings: Finding[] = [];
  for (const [key, value] of Object.entries(asRecord(labels))) {
    const f = `${field}[${JSON.stringify(key)}]`;
    const problem = labelKeyProblem(key) ?? labelValueProblem(key, value);
    if (problem) findings.push(findingAt(NAME_CHECKS.dns1123, m, problem, f));
  }
  return findings;
}

export function checkDns1123Names(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of objects) {
    const kind = kindOf(m.doc);
    const name = nameOf(m.doc);
    // A missing name is schema/missing-metadata's finding.
    const problem = name ? nameProblem(kind, name) : undefined;
    if (problem) findings.push(findingAt(NAME_CHECKS.dns1123, m, problem, 'metadata.name'));
    const ns = namespaceOf(m.doc);
    if (ns && !isDnsLabel(ns)) {
      findings.push(findingAt(NAME_CHECKS.dns1123, m, `namespace '${ns}' is not a DNS-1123 label`, 'metadata.namespace'));
    }
    findings.push(...labelFindings(m, asRecord(asRecord(m.doc).metadata).labels, 'metadata.labels'));
    const podPath = podSpecPathOf(kind);
    if (podPath && kind !== 'Pod') {
      const templatePath = podPath.replace(/\.spec$/, '.metadata');
      const template = templatePath.split('.').reduce((o, k) => asRecord(o)[k], m.doc as unknown);
      findings.push(...labelFindings(m, asRecord(template).labels, `${templatePath}.labels`));
    }
  }
  return findings;
}

export function checkDuplicateObjects(objects: readonly ManifestObject[]): Finding[] {
  const seen = new Map<string, ManifestObject>();
  const findings: Finding[] = [];
  for (const m of objects) {
    const kind = kindOf(m.doc);
    const name = nameOf(m.doc);
    if (!kind || !name) continue;
    // Identity is group+kind, not apiVersion: apps/v1 and apps/v1beta2 Deployments of one name are one object.
    const ns = isClusterScoped(kind) ? '' : namespaceOf(m.doc);
    const key = [m.env, groupOf(asRecord(m.doc).apiVersion), kind, ns, name].join('\u0000');
    const first = seen.get(key);
    if (first) {
      findings.push(findingAt(NAME_CHECKS.duplicate, m,
        `is defined twice in env '${m.env}' (${first.file} and ${m.file}); the later one overwrites the earlier`, 'metadata.name'));
    } else {
      seen.set(key, m);
    }
  }
  return findings;
}

export function checkEnvDuplicates(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of objects) {
    for (const { container, field } of containerEntriesOf(m.doc)) {
      const seen = new Set<unknown>();
      asArray(container.env).forEach((env, j) => {
        const name = asRecord(env).name;
        if (seen.has(name)) {
          findings.push(findingAt(NAME_CHECKS.envDuplicate, m,
            `container '${container.name}' sets env ${name} more than once; only the last value takes effect`, `${field}.env[${j}].name`));
        }
        seen.add(name);
      });
    }
  }
  return findings;
}
