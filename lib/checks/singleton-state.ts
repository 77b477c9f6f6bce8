/**
 * Servers that hold their state in one process (Valkey/Redis: pub/sub channels, sessions, caches)
 * must never run twice behind one Service. A Deployment's default RollingUpdate starts the new
 * pod before the old one stops: for a while clients connect to two independent servers, and a
 * message published on one never reaches subscribers of the other (Penpot's notifications, the
 * Penpot MCP replicas' Redis bridge). Such a Deployment needs replicas 1 and strategy Recreate.
 */
import { parseImageRef } from '../images';
import { asRecord, containersOf, Finding, findingAt, kindOf, ManifestObject, podSpecOf } from './model';

export const SINGLETON_CHECKS = { noOverlap: 'upstream/singleton-server-no-overlap' } as const;

/** Image repositories of single-process state servers (without a cluster mode configured). */
const SINGLETON_REPOSITORIES = [/(^|\/)valkey$/, /(^|\/)redis$/];

export function checkSingletonServers(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of objects.filter((o) => kindOf(o.doc) === 'Deployment')) {
    const singleton = containersOf(podSpecOf(m.doc)).some((c) => {
      const ref = typeof c.image === 'string' ? parseImageRef(c.image) : undefined;
      return ref !== undefined && typeof ref !== 'string' && SINGLETON_REPOSITORIES.some((r) => r.test(ref.repository));
    });
    if (!singleton) continue;
    const spec = asRecord(m.doc.spec);
    if ((spec.replicas ?? 1) !== 1) {
      findings.push(findingAt(SINGLETON_CHECKS.noOverlap, m, `runs ${spec.replicas} independent Valkey/Redis servers behind one Service: clients split between them; allowed: 1 replica`, 'spec.replicas'));
    }
    if (asRecord(spec.strategy).type !== 'Recreate') {
      findings.push(findingAt(SINGLETON_CHECKS.noOverlap, m, 'a rolling update runs the old and the new Valkey/Redis side by side behind the Service, '
        + 'splitting pub/sub and sessions between two servers; allowed: strategy Recreate', 'spec.strategy.type'));
    }
  }
  return findings;
}
