/**
 * RBAC (Polaris, kube-linter): no cluster-admin, no exec/attach, no wildcards, no write verbs and
 * a warning for every grant on Secrets. Bindings to the built-in aggregated roles count as the
 * rules those roles carry. A role annotated with the environment's acknowledgement of the risk
 * (`kubernetesMcp.rbacRiskAcknowledged`, lib/annotations.ts) reports write and Secret grants as
 * exempt with that reason; nothing else is waived by it.
 */
import { RISK_ACKNOWLEDGED_ANNOTATION } from '../annotations';
import { asArray, asRecord, kindOf } from '../checks/model';
import { PolicyCheck, PolicyViolation } from './model';

const ROLE_KINDS = new Set(['Role', 'ClusterRole']);
const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);
const isRole = (doc: any): boolean => ROLE_KINDS.has(kindOf(doc));
const isBinding = (doc: any): boolean => BINDING_KINDS.has(kindOf(doc));

/** Built-in ClusterRoles that grant what a check forbids (`admin` and `edit` include pods/exec, pods/attach and secrets). */
const BUILTIN_GRANTS: Record<string, readonly string[]> = {
  'cluster-admin': ['everything'],
  admin: ['pods/exec', 'pods/attach', 'secrets'],
  edit: ['pods/exec', 'pods/attach', 'secrets'],
};

function builtinRole(doc: any): string | undefined {
  const ref = asRecord(asRecord(doc).roleRef);
  return ref.kind === 'ClusterRole' && typeof ref.name === 'string' && ref.name in BUILTIN_GRANTS ? ref.name : undefined;
}

interface Rule { readonly rule: Record<string, any>; readonly field: string }

function rulesOf(doc: any): Rule[] {
  return asArray(asRecord(doc).rules).map((rule, i) => ({ rule: asRecord(rule), field: `rules[${i}]` }));
}

/** The environment's acknowledgement written on the object, if any. */
function acknowledgementOf(doc: any): string | undefined {
  const value = asRecord(asRecord(asRecord(doc).metadata).annotations)[RISK_ACKNOWLEDGED_ANNOTATION];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Whether a rule covers the core API group (where pods and secrets live). */
const coversCore = (rule: Record<string, any>): boolean => asArray(rule.apiGroups).some((g) => g === '' || g === '*');

export const clusterAdmin: PolicyCheck = {
  id: 'rbac/cluster-admin',
  severity: 'danger',
  description: 'no RoleBinding or ClusterRoleBinding grants the cluster-admin ClusterRole',
  appliesTo: isBinding,
  check(doc) {
    return builtinRole(doc) === 'cluster-admin'
      ? [{ field: 'roleRef.name', message: 'binds cluster-admin: its subjects can do anything in the cluster' }]
      : [];
  },
};

const EXEC = ['pods/exec', 'pods/attach'];

export const execAttach: PolicyCheck = {
  id: 'rbac/exec-attach',
  severity: 'danger',
  description: 'no Role or ClusterRole rule (nor binding to the built-in admin/edit roles) grants pods/exec or pods/attach',
  appliesTo: (doc) => isRole(doc) || isBinding(doc),
  check(doc) {
    if (isBinding(doc)) {
      const role = builtinRole(doc);
      return role === 'admin' || role === 'edit'
        ? [{ field: 'roleRef.name', message: `binds the built-in '${role}' ClusterRole, which grants pods/exec and pods/attach` }]
        : [];
    }
    return rulesOf(doc).flatMap(({ rule, field }): PolicyViolation[] => {
      if (!coversCore(rule)) return [];
      const granted = asArray(rule.resources).filter((r) => EXEC.includes(r) || r === 'pods/*' || r === '*');
      return granted.length > 0
        ? [{ field: `${field}.resources`, message: `grants ${granted.join(', ')}: a shell in any matching pod` }]
        : [];
    });
  },
};

export const wildcard: PolicyCheck = {
  id: 'rbac/wildcard',
  severity: 'danger',
  description: "no Role or ClusterRole rule uses '*' in verbs, resources, apiGroups or nonResourceURLs",
  appliesTo: isRole,
  check(doc) {
    return rulesOf(doc).flatMap(({ rule, field }) => (['verbs', 'resources', 'apiGroups', 'nonResourceURLs'] as const)
      .filter((key) => asArray(rule[key]).some((v) => v === '*'))
      .map((key) => ({ field: `${field}.${key}`, message: `uses '*' in ${key}: grants whatever exists now and in the future` })));
  },
};

export const secrets: PolicyCheck = {
  id: 'rbac/secrets',
  severity: 'warning',
  description: 'no Role or ClusterRole rule (nor binding to the built-in admin/edit roles) grants access to secrets',
  appliesTo: (doc) => isRole(doc) || isBinding(doc),
  check(doc) {
    if (isBinding(doc)) {
      const role = builtinRole(doc);
      return role === 'admin' || role === 'edit'
        ? [{ field: 'roleRef.name', message: `binds the built-in '${role}' ClusterRole, which grants read and write on secrets` }]
        : [];
    }
    const acknowledged = acknowledgementOf(doc);
    return rulesOf(doc)
      .filter(({ rule }) => coversCore(rule) && asArray(rule.resources).includes('secrets'))
      .map(({ rule, field }) => ({
        field: `${field}.resources`,
        message: `grants ${JSON.stringify(asArray(rule.verbs))} on secrets`
          + `${asArray(rule.resourceNames).length > 0 ? ` (${asArray(rule.resourceNames).join(', ')})` : ''}`,
        ...(acknowledged ? { acknowledged } : {}),
      }));
  },
};

/** Verbs that change the cluster (or widen someone's rights). */
export const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection', 'escalate', 'bind', 'impersonate'] as const;

export const writeAccess: PolicyCheck = {
  id: 'rbac/write-access',
  severity: 'danger',
  description: 'no Role or ClusterRole grants write verbs (create, update, patch, delete, ...) unless the environment acknowledges it',
  appliesTo: isRole,
  check(doc) {
    const acknowledged = acknowledgementOf(doc);
    return rulesOf(doc).flatMap(({ rule, field }) => {
      const writes = asArray(rule.verbs).filter((v) => (WRITE_VERBS as readonly unknown[]).includes(v));
      return writes.length > 0 ? [{
        field: `${field}.verbs`,
        message: `grants ${writes.join(', ')} on ${asArray(rule.resources).join(', ')}: whoever holds it changes the cluster`
          + (acknowledged ? '' : `; acknowledge it with annotation ${RISK_ACKNOWLEDGED_ANNOTATION} (kubernetesMcp.rbacRiskAcknowledged) or drop the verbs`),
        ...(acknowledged ? { acknowledged } : {}),
      }] : [];
    });
  },
};

export const RBAC_CHECKS: readonly PolicyCheck[] = [clusterAdmin, execAttach, wildcard, writeAccess, secrets];
