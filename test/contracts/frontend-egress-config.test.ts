import { resolveEnvironments } from '../../lib/config/resolve';
import { canReachAddress, podTemplates } from '../../lib/checks/network-eval';
import { checkImageEgress } from '../../lib/checks/image-egress';
import { expectIssue } from '../support/config-issues';
import { minimalEnv } from '../support/environments';
import { synthesizedDist } from '../support/synthesized-dist';

const resolved = (penpot: object) => resolveEnvironments([minimalEnv({ penpot } as any)])[0].penpot;

describe('penpot.frontendEgress', () => {
  test('defaults to HTTPS to every address, or to air-gapped when penpot.airGapped', () => {
    expect(resolved({}).frontendEgress).toEqual({ mode: 'https', cidrs: ['0.0.0.0/0'] });
    expect(resolved({ airGapped: true }).frontendEgress).toEqual({ mode: 'air-gapped' });
  });

  test('mode air-gapped turns on the air-gapped flag', () => {
    expect(resolved({ frontendEgress: { mode: 'air-gapped' } }).airGapped).toBe(true);
  });

  test('https contradicting airGapped: true is refused, naming both', () => {
    expectIssue([minimalEnv({ penpot: { airGapped: true, frontendEgress: { mode: 'https' } } } as any)], 'environments.test.penpot.frontendEgress.mode', /contradicts penpot.airGapped/);
  });

  test('an empty or malformed CIDR list is refused', () => {
    expectIssue([minimalEnv({ penpot: { frontendEgress: { mode: 'https', cidrs: [] } } } as any)], 'environments.test.penpot.frontendEgress.cidrs', /is empty/);
    expectIssue([minimalEnv({ penpot: { frontendEgress: { mode: 'https', cidrs: ['142.250.0.1/15'] } } } as any)], 'environments.test.penpot.frontendEgress.cidrs[0]', /./);
  });

  test('narrowed CIDRs are what the frontend may reach on 443, and the egress check accepts them', () => {
    const { dist } = synthesizedDist(minimalEnv({ penpot: { frontendEgress: { mode: 'https', cidrs: ['142.250.0.0/15'] } } } as any));
    const frontend = podTemplates(dist.objects).find((p) => p.owner === 'Deployment/penpot-frontend')!;
    expect(canReachAddress(dist.objects, frontend, '142.250.1.1', 443)).toBe(true);
    expect(canReachAddress(dist.objects, frontend, '8.8.8.8', 443)).toBe(false);
    expect(checkImageEgress(dist.objects)).toEqual([]);
  });

  test('air-gapped: the frontend reaches no address and the check is satisfied by the flag', () => {
    const { dist } = synthesizedDist(minimalEnv({ penpot: { frontendEgress: { mode: 'air-gapped' } } } as any));
    const frontend = podTemplates(dist.objects).find((p) => p.owner === 'Deployment/penpot-frontend')!;
    expect(canReachAddress(dist.objects, frontend, '8.8.8.8', 443)).toBe(false);
    expect(checkImageEgress(dist.objects)).toEqual([]);
  });
});
