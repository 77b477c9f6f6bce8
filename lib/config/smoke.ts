/**
 * Defaults and validation of the post-sync smoke check (`smokeChecks`), kept apart from
 * resolve.ts so that this area's rules live in one file; resolve.ts only calls the two functions.
 */
import { parseImageRef, unpinnedReason } from '../images';
import { parseQuantity } from './rules';
import type { ConfigIssue } from './resolve';
import { EnvironmentConfig, EnvironmentInput, ResourceSpec, SmokeChecksConfig } from './types';

/**
 * A small image with busybox `sh` and `curl`. Runs as the non-numeric user `curl_user`, UID 100
 * (see SMOKE_CHECK_UID in lib/smoke-check.ts).
 */
export const SMOKE_CHECK_IMAGE = 'docker.io/curlimages/curl:8.12.1';
export const SMOKE_CHECK_RESOURCES: ResourceSpec = { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '200m', memory: '64Mi' } };

export function applySmokeChecksDefaults(input: EnvironmentInput): SmokeChecksConfig {
  const s = input.smokeChecks ?? {};
  return {
    enabled: s.enabled ?? true,
    image: s.image ?? SMOKE_CHECK_IMAGE,
    resources: {
      requests: { ...SMOKE_CHECK_RESOURCES.requests, ...s.resources?.requests },
      limits: { ...SMOKE_CHECK_RESOURCES.limits, ...s.resources?.limits },
    },
  };
}

/** Appends the problems of `config.smokeChecks` to `issues`, each naming its field. */
export function validateSmokeChecks(config: EnvironmentConfig, issues: ConfigIssue[]): void {
  const s = config.smokeChecks;
  const field = (path: string) => `environments.${config.name}.smokeChecks.${path}`;
  if (typeof s.enabled !== 'boolean') issues.push({ field: field('enabled'), problem: `${JSON.stringify(s.enabled)} is not allowed; allowed: true or false` });
  if (!s.enabled) return;
  const parsed = parseImageRef(s.image);
  const why = typeof parsed === 'string' ? parsed : unpinnedReason(parsed);
  if (why) {
    issues.push({ field: field('image'), problem: `${JSON.stringify(s.image)} ${why}; allowed: a pinned image with sh and curl, e.g. ${SMOKE_CHECK_IMAGE}` });
  }
  for (const kind of ['cpu', 'memory'] as const) {
    const req = parseQuantity(s.resources.requests[kind]);
    const lim = parseQuantity(s.resources.limits[kind]);
    if (req === undefined || req <= 0) issues.push({ field: field(`resources.requests.${kind}`), problem: `${JSON.stringify(s.resources.requests[kind])} is not a positive quantity; allowed: e.g. ${kind === 'cpu' ? '10m' : '16Mi'}` });
    if (lim === undefined || lim <= 0) issues.push({ field: field(`resources.limits.${kind}`), problem: `${JSON.stringify(s.resources.limits[kind])} is not a positive quantity; allowed: e.g. ${kind === 'cpu' ? '200m' : '64Mi'}` });
    if (req !== undefined && lim !== undefined && req > lim) {
      issues.push({ field: field(`resources.requests.${kind}`), problem: `request ${s.resources.requests[kind]} exceeds limit ${s.resources.limits[kind]}; allowed: request <= limit` });
    }
  }
}
