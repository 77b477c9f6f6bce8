/**
 * `penpot.frontendEgress`: what Penpot's frontend does about the fonts and dashboard templates it
 * would fetch from hosts outside the cluster (upstream.md section 7). Either it may open HTTPS
 * connections (to every address or to the ranges you narrow it to), or it runs the air-gapped
 * configuration (`enable-air-gapped-conf`: no external proxy locations, Google Fonts and the
 * templates section off). A default-deny egress without either makes those requests hang.
 */
import { z } from 'zod';
import { PenpotFrontendEgress } from './types';
import { section, strings } from './schema/primitives';

export const penpotFrontendEgressInput = z.discriminatedUnion('mode', [
  section({ mode: z.literal('https'), cidrs: strings().optional() }),
  section({ mode: z.literal('air-gapped') }),
]);

type Input = { readonly mode: 'https'; readonly cidrs?: readonly string[] } | { readonly mode: 'air-gapped' };

/** Every address: the font and template hosts sit behind CDNs whose addresses change. */
export const DEFAULT_FRONTEND_EGRESS_CIDRS = ['0.0.0.0/0'];

/**
 * The resolved setting. Without it, `penpot.airGapped` decides (true: air-gapped; false: HTTPS to
 * every address), so existing environments keep working and the generated docs name the choice.
 */
export function applyFrontendEgressDefaults(input: Input | undefined, airGapped: boolean | undefined): PenpotFrontendEgress {
  if (input?.mode === 'air-gapped') return { mode: 'air-gapped' };
  if (input?.mode === 'https') return { mode: 'https', cidrs: [...(input.cidrs ?? DEFAULT_FRONTEND_EGRESS_CIDRS)] };
  return airGapped ? { mode: 'air-gapped' } : { mode: 'https', cidrs: [...DEFAULT_FRONTEND_EGRESS_CIDRS] };
}

/** Issues as [field below `penpot.`, problem]; `checkCidr` is passed in to keep one CIDR rule. */
export function validateFrontendEgress(
  egress: PenpotFrontendEgress,
  airGapped: boolean,
  add: (field: string, problem: string) => void,
  checkCidr: (field: string, value: string) => void,
): void {
  if (egress.mode === 'https') {
    if (airGapped) add('frontendEgress.mode', '"https" contradicts penpot.airGapped: true; allowed: mode "air-gapped", or airGapped false');
    if (egress.cidrs.length === 0) add('frontendEgress.cidrs', 'is empty, so the frontend could reach no font host; allowed: CIDRs such as 0.0.0.0/0, or mode "air-gapped"');
    egress.cidrs.forEach((c, i) => checkCidr(`frontendEgress.cidrs[${i}]`, c));
  }
}
