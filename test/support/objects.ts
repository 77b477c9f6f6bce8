import { resolveEnvironments } from '../../lib/config/resolve';
import { EnvironmentInput } from '../../lib/config/types';
import { buildEnvironment } from '../../lib/platform';

/** The objects one environment synthesizes (every app plus the Argo CD charts), in memory. */
export function objectsOf(input: EnvironmentInput): any[] {
  const [env] = resolveEnvironments([input]);
  const { apps, appOfApps, root } = buildEnvironment(env);
  return [...apps.flatMap((a) => a.chart.toJson()), ...appOfApps.toJson(), ...root.toJson()];
}

export function find(objects: any[], kind: string, name: string): any {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind}/${name} among ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found;
}

export function podSpec(workload: any): any {
  return workload.spec.template.spec;
}

export function container(workload: any, name: string): any {
  const c = podSpec(workload).containers.find((x: any) => x.name === name);
  if (!c) throw new Error(`no container ${name} in ${workload.metadata.name}`);
  return c;
}

/** Literal env value of a container, undefined when unset. */
export function envValue(c: any, name: string): string | undefined {
  return (c.env ?? []).find((e: any) => e.name === name)?.value;
}

export function envVar(c: any, name: string): any {
  return (c.env ?? []).find((e: any) => e.name === name);
}

/** Every container (init and main) of every pod template. */
export function allContainers(objects: any[]): { owner: string; container: any }[] {
  return objects.filter((o) => o.spec?.template?.spec).flatMap((o) => {
    const spec = o.spec.template.spec;
    return [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => ({ owner: `${o.kind}/${o.metadata.name}`, container: c }));
  });
}
