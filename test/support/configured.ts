/**
 * The configured environments (lib/environments/index.ts), resolved. Tests that look at the
 * shipped dist/ derive what they expect from these, never from a list of names: adding an
 * environment then adds only its snapshot (test/snapshot.test.ts).
 */
import { resolveEnvironments } from '../../lib/config/resolve';
import { EnvironmentConfig } from '../../lib/config/types';
import { ENVIRONMENTS } from '../../lib/environments';
import { buildEnvironment } from '../../lib/platform';

/** The apps that carry a PostSync smoke check Job (Llama Stack's has none). */
export const SMOKE_CHECKED_APPS: readonly string[] = ['penpot', 'mcp', 'mcp-servers'];

let resolved: EnvironmentConfig[] | undefined;

export function configuredEnvironments(): readonly EnvironmentConfig[] {
  resolved ??= resolveEnvironments(ENVIRONMENTS);
  return resolved;
}

/** Sorted names of the configured environments that satisfy `which` (all by default). */
export function environmentNames(which: (env: EnvironmentConfig) => boolean = () => true): string[] {
  return configuredEnvironments().filter(which).map((e) => e.name).sort();
}

/** `<env>/<app>` for every app folder (Argo CD Application over dist/) of every configured environment. */
export function appFolders(which: (app: string, env: EnvironmentConfig) => boolean = () => true): string[] {
  return configuredEnvironments().flatMap((env) => buildEnvironment(env).apps.filter((a) => which(a.name, env)).map((a) => `${env.name}/${a.name}`)).sort();
}

/** Whether an environment synthesizes the restore Job into dist/<env>/operations/ (Penpot with backups). */
export function hasOperationsFolder(env: EnvironmentConfig): boolean {
  return buildEnvironment(env).operations !== undefined;
}
