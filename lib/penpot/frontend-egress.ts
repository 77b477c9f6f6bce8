import { PenpotFrontendEgress } from '../config/types';
import { NetworkIsolation } from '../network-isolation';

/** Port of the external font and template hosts the frontend's nginx proxies to (https upstreams). */
export const FRONTEND_EXTERNAL_PORT = 443;

/**
 * The frontend's own outbound calls (upstream.md section 7; penpot docker/images/files/
 * nginx-external-locations.conf): with `https` its policy allows TCP 443 to the configured CIDRs;
 * `air-gapped` allows nothing, because the flag `enable-air-gapped-conf` (lib/penpot-flags.ts)
 * removes those proxy locations from nginx. lib/checks/image-egress.ts checks the outcome in dist/.
 */
export function allowFrontendExternalEgress(net: NetworkIsolation, frontend: { name: string; pods: Readonly<Record<string, string>> }, egress: PenpotFrontendEgress): void {
  if (egress.mode === 'https') net.allowEgress(frontend, { cidrs: egress.cidrs }, [{ port: FRONTEND_EXTERNAL_PORT }]);
}
