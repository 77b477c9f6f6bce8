import { PenpotConfig } from './config/types';

/**
 * `PENPOT_FLAGS` for one installation. The same list goes to the frontend, backend and
 * exporter (Penpot reads flags as one list whichever component they affect).
 * `enable-prepl-server` from upstream's compose file is left out: it opens a debug REPL on
 * the backend that nothing here uses.
 */
export function penpotFlags(config: PenpotConfig, mcpServerDeployed: boolean): string[] {
  const flags = [
    config.registration ? 'enable-registration' : 'disable-registration',
    'enable-login-with-password',
    config.emailVerification ? 'enable-email-verification' : 'disable-email-verification',
  ];
  if (config.smtp) flags.push('enable-smtp');
  if (config.oidc) flags.push('enable-login-with-oidc');
  // The backend already turns secure cookies off for a non-localhost http URI; saying so is harmless and explicit.
  if (config.publicUri.startsWith('http://')) flags.push('disable-secure-session-cookies');
  if (config.airGapped) flags.push('enable-air-gapped-conf');
  // enable-mcp makes the frontend's nginx proxy /mcp/* to the MCP Service, which must then exist.
  if (mcpServerDeployed) flags.push('enable-mcp');
  for (const flag of config.extraFlags) if (!flags.includes(flag)) flags.push(flag);
  return flags;
}
