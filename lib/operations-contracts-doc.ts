/**
 * The sections of `dist/<env>/OPERATIONS.md` about upstream contracts, generated from the same
 * objects the checks read (lib/checks/*): the registration steps and sync order (from the sync
 * waves of the child Applications), the CRDs the environment needs first, every image it runs with
 * its mirror, the outbound calls images make on their own, and the Argo CD health check that lets
 * syncs wait for kMCP's MCPServers. A test parses these sections back and compares them with dist/.
 */
import { childApplications } from './checks/crd-dependencies';
import { outboundCallsOf } from './checks/image-egress';
import { imageInventory, imageRows, mirrorOf } from './checks/image-inventory';
import { isMcpServer } from './checks/kmcp-workloads';
import { asString, ManifestObject } from './checks/model';
import { EnvironmentConfig } from './config/types';
import { CHART_CRDS, customKindOf, installedKinds, kindKey, needsSkipDryRun } from './crd-prerequisites';
import { mcpServerStartBudget } from './smoke-budget';

export const SYNC_ORDER_HEADING = '## Register with Argo CD and sync order';
export const PREREQUISITES_HEADING = '## Prerequisite CRDs';
export const IMAGES_HEADING = '## Images';
export const OUTBOUND_HEADING = '## Outbound calls of the images';
export const MCPSERVER_HEALTH_HEADING = '## Argo CD health check for kMCP MCPServers';

/** The child Applications of an environment in the order to sync them: by wave, then by name (Argo CD's own order). */
export function syncOrder(objects: readonly ManifestObject[], env: string): Array<{ name: string; wave: number; path?: string; chart?: string }> {
  return childApplications(objects, env).sort((a, b) => a.wave - b.wave || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** What an app of the environment holds, for the sync steps. */
function appFolder(path: string | undefined): string | undefined {
  return path?.split('/').pop();
}

function syncSteps(env: EnvironmentConfig, objects: readonly ManifestObject[]): string[] {
  const order = syncOrder(objects, env.name);
  const ns = env.argo.namespace;
  const root = `${env.name}-root`;
  const lines = [
    SYNC_ORDER_HEADING, '',
    'Every Application syncs by hand. Sync waves order only the creation of the Application objects by the root; each'
      + ' child app is synced on its own, so sync them **in this order**, each once it is Synced and Healthy before the next'
      + ' (an app synced before the CRDs or controller it needs fails its dry-run):', '',
    `1. Create the Secrets (\`SECRETS.md\`), then register the root once: \`kubectl apply -f dist/${env.name}/root-application.yaml\`.`,
    `2. Sync \`${root}\`: it creates the child Applications below.`,
  ];
  order.forEach((app, i) => {
    const what = app.chart
      ? `Helm chart \`${app.chart}\`${(CHART_CRDS[app.chart] ?? []).length > 0 ? ` (installs the CRDs of ${(CHART_CRDS[app.chart] ?? []).join(', ')})` : ''}`
      : `\`dist/${env.name}/${appFolder(app.path)}/\``;
    lines.push(`${i + 3}. Sync \`${app.name}\` (wave ${app.wave}): ${what}.`);
  });
  lines.push('', 'Check an app before the next one (prints `Synced Healthy`):', '', '```sh',
    `kubectl -n ${ns} get application <name> -o jsonpath='{.status.sync.status} {.status.health.status}{"\\n"}'`, '```', '');
  return lines;
}

function prerequisites(env: EnvironmentConfig, objects: readonly ManifestObject[]): string[] {
  const apps = childApplications(objects, env.name);
  const installed = installedKinds(apps.flatMap((a) => (a.chart ? [a.chart] : [])));
  const uses = new Map<string, { kind: ReturnType<typeof customKindOf>; apps: Set<string>; skip: boolean }>();
  for (const m of objects.filter((o) => o.env === env.name && o.app !== undefined && o.app !== 'apps')) {
    const custom = customKindOf(m.doc.apiVersion, m.doc.kind);
    if (!custom) continue;
    const key = kindKey(m.doc.apiVersion, m.doc.kind);
    const entry = uses.get(key) ?? { kind: custom, apps: new Set<string>(), skip: needsSkipDryRun(m.doc.apiVersion, m.doc.kind, installed) };
    entry.apps.add(`${env.name}-${m.app}`);
    uses.set(key, entry);
  }
  const lines = [PREREQUISITES_HEADING, ''];
  const hpas = objects.filter((o) => o.env === env.name && o.app !== undefined && o.doc.kind === 'HorizontalPodAutoscaler');
  // Not a CRD, but an aggregated API an add-on serves: without it an HPA reads <unknown> and never scales.
  const metrics = hpas.length > 0
    ? [`HorizontalPodAutoscalers (${hpas.map((h) => `\`${h.doc.metadata.namespace}/${h.doc.metadata.name}\``).join(', ')}) read CPU from the \`metrics.k8s.io\` API:`
      + ' install metrics-server if `kubectl top pods -A` fails (k3s and OpenShift ship it, kubeadm and k0s clusters may not); without it they never scale.', '']
    : [];
  if (uses.size === 0) return [...lines, 'No kind beyond Kubernetes\' own and Argo CD\'s.', '', ...metrics];
  lines.push('Kinds beyond Kubernetes\' own that the apps create. Those this environment does not install carry'
    + ' `argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true`: without their CRD only they fail, the rest of the app deploys.', '',
  '| kind | CRD | provided by | used by | without the CRD |', '|---|---|---|---|---|');
  for (const [key, u] of [...uses.entries()].sort()) {
    const installer = apps.find((a) => a.chart && (CHART_CRDS[a.chart] ?? []).includes(key));
    const without = u.kind!.scope === 'platform' ? 'nothing syncs (required)'
      : installer ? `installed here by \`${installer.name}\` (sync it first)` : 'those objects fail alone (skipped dry-run); install the CRD, then sync again';
    lines.push(`| \`${key}\` | \`${u.kind!.crd}\` | ${u.kind!.providedBy} | ${[...u.apps].sort().map((a) => `\`${a}\``).join(', ')} | ${without} |`);
  }
  lines.push('', 'Check one: `kubectl get crd <CRD>`.', '', ...metrics);
  return lines;
}

function images(env: EnvironmentConfig, objects: readonly ManifestObject[]): string[] {
  const { uses } = imageInventory(objects.filter((o) => o.env === env.name));
  const mirrors = env.images.mirrors;
  const lines = [IMAGES_HEADING, ''];
  lines.push(Object.keys(mirrors).length > 0
    ? `Every image this environment runs, including those the kMCP chart and controller would pick, goes through \`images.mirrors\` (${Object.entries(mirrors).map(([r, p]) => `\`${r}\` -> \`${p}\``).join(', ')}). Pre-pull or allow these in the mirror:`
    : 'Every image this environment runs, including those the kMCP chart and controller would pick (no `images.mirrors` configured: pulled from their registries):');
  lines.push('', '| image | mirror | run by | chosen by |', '|---|---|---|---|');
  for (const row of imageRows(uses, env.name)) {
    lines.push(`| \`${row.image}\` | ${mirrorOf(row.image, mirrors) ? `\`${mirrorOf(row.image, mirrors)}\`` : '(none)'} | ${row.usedBy.join('; ')} | ${[...row.chosenBy].join(', ')} |`);
  }
  lines.push('');
  // Charts are not images: Argo CD's repo server pulls them itself, from the repository the Application names.
  const charts = childApplications(objects, env.name).filter((a) => a.chart !== undefined);
  if (charts.length > 0) {
    lines.push('Helm charts Argo CD pulls itself (not rewritten by `images.mirrors`; point `kmcp.controller.chartRepoURL` at your mirror'
      + ' if Argo CD cannot reach the registry): '
      + charts.map((a) => `\`${a.chart}\` ${asString(a.doc.spec?.source?.targetRevision)} from \`${asString(a.doc.spec?.source?.repoURL)}\``).join(', ') + '.', '');
  }
  return lines;
}

function outbound(env: EnvironmentConfig, objects: readonly ManifestObject[]): string[] {
  const lines = [OUTBOUND_HEADING, ''];
  const p = env.penpot;
  if (p.enabled) {
    lines.push(p.frontendEgress.mode === 'https'
      ? `- Penpot frontend: fonts and dashboard templates are fetched by its nginx (fonts.googleapis.com, fonts.gstatic.com, raw.githubusercontent.com);`
        + ` \`penpot.frontendEgress\` is \`https\`: its NetworkPolicy allows TCP 443 to ${p.frontendEgress.cidrs.map((c) => `\`${c}\``).join(', ')}.`
      : '- Penpot frontend: `penpot.frontendEgress` is `air-gapped`: the flag `enable-air-gapped-conf` removes its external font and template'
        + ' locations (Google Fonts and the dashboard templates section are off); it reaches nothing outside the cluster.');
  }
  for (const m of objects.filter((o) => o.env === env.name && isMcpServer(o.doc))) {
    for (const call of outboundCallsOf(m.doc)) {
      lines.push(`- MCPServer \`${m.doc.metadata.name}\`: ${call.what} (${call.to}, TCP ${call.port}); allowed by \`kmcp.servers[].egress\`.`);
    }
  }
  if (lines.length === 2) lines.push('No image of this environment calls outside the cluster on its own.');
  lines.push('');
  return lines;
}

/**
 * Argo CD resource health in Lua (argo-cd docs operator-manual/health: `resource.customizations.health.<group>_<kind>`
 * in `argocd-cm`), reading the MCPServer status conditions kMCP 0.3.0 sets (api/v1alpha1/mcpserver_types.go:
 * Accepted, ResolvedRefs, Programmed, Ready; a condition's `observedGeneration` is the spec it judged).
 */
export const MCPSERVER_HEALTH_LUA = [
  'hs = { status = "Progressing", message = "Waiting for the kMCP controller" }',
  'if obj.status == nil or obj.status.conditions == nil then',
  '  return hs',
  'end',
  'local ready = nil',
  'for _, c in ipairs(obj.status.conditions) do',
  '  if c.observedGeneration ~= nil and obj.metadata.generation ~= nil and c.observedGeneration < obj.metadata.generation then',
  '    return hs',
  '  end',
  '  if (c.type == "Accepted" or c.type == "ResolvedRefs" or c.type == "Programmed") and c.status == "False" then',
  '    hs.status = "Degraded"',
  '    hs.message = c.type .. ": " .. (c.reason or "") .. " " .. (c.message or "")',
  '    return hs',
  '  end',
  '  if c.type == "Ready" then ready = c end',
  'end',
  'if ready ~= nil and ready.status == "True" then',
  '  hs.status = "Healthy"',
  '  hs.message = ready.message or "Ready"',
  'elseif ready ~= nil then',
  '  hs.message = (ready.reason or "NotReady") .. " " .. (ready.message or "")',
  'end',
  'return hs',
];

function mcpServerHealth(env: EnvironmentConfig, objects: readonly ManifestObject[]): string[] {
  const servers = objects.filter((o) => o.env === env.name && isMcpServer(o.doc));
  if (servers.length === 0) return [];
  const lines = [
    MCPSERVER_HEALTH_HEADING, '',
    'Argo CD has no health check for `kagent.dev/MCPServer`: it counts one healthy as soon as it is applied, so the'
      + ' PostSync smoke check starts while the controller-made pods still pull images and download packages. The smoke'
      + ' check therefore retries for the start budget of the slowest server:', '',
    '| MCPServer | start budget | made of |', '|---|---|---|',
  ];
  for (const s of servers) {
    const b = mcpServerStartBudget(s.doc.spec);
    lines.push(`| \`${s.doc.metadata.name}\` | ${b.seconds} s | ${b.parts.join(' + ')} |`);
  }
  lines.push('', 'With this health check in `argocd-cm` (namespace `' + env.argo.namespace + '`), Argo CD waits until each MCPServer\'s'
    + ' `Ready` condition is `True` before the PostSync hook, and shows `Degraded` when kMCP refuses one. Add it once per Argo CD'
    + ' (merge into the existing ConfigMap; Argo CD reloads it by itself):', '',
  '```yaml', 'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: argocd-cm', `  namespace: ${env.argo.namespace}`,
  '  labels:', '    app.kubernetes.io/part-of: argocd', 'data:', '  resource.customizations.health.kagent.dev_MCPServer: |',
  ...MCPSERVER_HEALTH_LUA.map((l) => `    ${l}`), '```', '');
  return lines;
}

/** The upstream-contract sections of one environment's OPERATIONS.md. */
export function renderContractSections(env: EnvironmentConfig, manifests: readonly ManifestObject[]): string[] {
  return [
    ...syncSteps(env, manifests),
    ...prerequisites(env, manifests),
    ...images(env, manifests),
    ...outbound(env, manifests),
    ...mcpServerHealth(env, manifests),
  ];
}
