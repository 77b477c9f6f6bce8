/** Namespaces: every one declares a Pod Security level, and that level admits the namespace's own pods. */
import { asRecord, kindOf, nameOf, objectId } from '../checks/model';
import { PolicyCheck } from './model';
import { podSecurityProblems, PSS_LEVELS, PssLevel } from './pod-security';

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
const FIELD = `metadata.labels[${JSON.stringify(ENFORCE_LABEL)}]`;

const isNamespace = (doc: any): boolean => kindOf(doc) === 'Namespace';
const enforceOf = (doc: any): unknown => asRecord(asRecord(asRecord(doc).metadata).labels)[ENFORCE_LABEL];

export const podSecurityLabel: PolicyCheck = {
  id: 'namespace/pod-security-label',
  severity: 'danger',
  description: `every Namespace carries ${ENFORCE_LABEL} with privileged, baseline or restricted`,
  appliesTo: isNamespace,
  check(doc) {
    const level = enforceOf(doc);
    if ((PSS_LEVELS as readonly unknown[]).includes(level)) return [];
    return [{
      field: FIELD,
      message: level === undefined ? `has no ${ENFORCE_LABEL} label: pods are admitted without Pod Security checks`
        : `has ${ENFORCE_LABEL}=${JSON.stringify(level)}; allowed: ${PSS_LEVELS.join(', ')}`,
    }];
  },
};

export const podSecurityLevel: PolicyCheck = {
  id: 'namespace/pod-security-level',
  severity: 'danger',
  description: `the ${ENFORCE_LABEL} level of a Namespace admits every pod template in it (otherwise the API server rejects them)`,
  appliesTo: (doc) => isNamespace(doc) && (PSS_LEVELS as readonly unknown[]).includes(enforceOf(doc)),
  check(doc, ctx) {
    const level = enforceOf(doc) as PssLevel;
    return ctx.workloads(nameOf(doc)).flatMap((w) => {
      const problems = podSecurityProblems(w.doc, level);
      return problems.length === 0 ? [] : [{
        field: FIELD,
        message: `'${level}' rejects the pods of ${objectId(w.doc)}: ${problems.join('; ')}`,
      }];
    });
  },
};

export const NAMESPACE_CHECKS: readonly PolicyCheck[] = [podSecurityLabel, podSecurityLevel];
