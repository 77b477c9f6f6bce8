/**
 * Every image an environment will run, including the ones a Helm chart or a controller picks
 * rather than our manifests: the kMCP controller (chart value `image.repository`/`image.tag`) and
 * kMCP's stdio transport adapter (init container of each stdio MCPServer). A registry mirror that
 * only our own manifests honour is bypassed by those, so the inventory models them from upstream
 * source and the check treats them like any other image: mirrored when a mirror is configured for
 * their registry, and pinned.
 */
import { formatImageRef, parseImageRef, unpinnedReason } from '../images';
import { DEFAULT_KMCP_VERSION, KMCP_CONTROLLER_REPOSITORY, kmcpAdapterImage } from '../kmcp-release';

export { kmcpAdapterImage };
import { isMcpServer } from './kmcp-workloads';
import { asRecord, asString, containerEntriesOf, Finding, groupOf, kindOf, ManifestObject, objectId } from './model';

export const IMAGE_CHECKS = {
  mirrored: 'upstream/image-mirrored',
  pinned: 'upstream/image-pinned',
  modelled: 'upstream/image-chart-modelled',
} as const;

/** One image one environment will run, and who chose it. */
export interface ImageUse {
  readonly env: string;
  readonly image: string;
  /** e.g. `Deployment penpot/penpot-frontend container frontend`, `chart kmcp 0.3.0 (image.repository, image.tag)`. */
  readonly usedBy: string;
  /** Who picks the reference: our manifests, a chart's values, or a controller's default. */
  readonly chosenBy: 'manifest' | 'chart' | 'controller';
  /** The field that sets it (the one to change to mirror or pin it). */
  readonly field: string;
  readonly file: string;
  readonly object: string;
}

/** A chart's images from the Application's Helm values (a model of the chart's templates). */
type ChartImages = (values: Record<string, any>, version: string) => Array<{ image: string; field: string }>;

/** Charts installed by the platform whose images are modelled; any other chart is a finding. */
const CHART_IMAGES: Readonly<Record<string, ChartImages>> = {
  kmcp: (values, version) => {
    const image = asRecord(values.image);
    return [{ image: `${asString(image.repository) ?? KMCP_CONTROLLER_REPOSITORY}:${asString(image.tag) ?? version}`, field: 'spec.source.helm.valuesObject.image' }];
  },
  // CRDs only: runs nothing.
  'kmcp-crds': () => [],
};

function isApplication(doc: any): boolean {
  return kindOf(doc) === 'Application' && groupOf(asRecord(doc).apiVersion) === 'argoproj.io';
}

/** The kMCP release an environment installs (its `kmcp` chart), if it installs one. */
export function kmcpVersionOf(objects: readonly ManifestObject[], env: string): string | undefined {
  const app = objects.find((m) => m.env === env && isApplication(m.doc) && asRecord(asRecord(m.doc.spec).source).chart === 'kmcp');
  return asString(asRecord(asRecord(app?.doc.spec).source).targetRevision);
}

/** Every image of every environment in `objects`, in file order. */
export function imageInventory(objects: readonly ManifestObject[]): { uses: ImageUse[]; findings: Finding[] } {
  const uses: ImageUse[] = [];
  const findings: Finding[] = [];
  for (const m of objects) {
    const object = objectId(m.doc);
    const base = { env: m.env, file: m.file, object };
    for (const { container, field } of containerEntriesOf(m.doc)) {
      uses.push({ ...base, image: String(container.image), usedBy: `${object} container ${container.name}`, chosenBy: 'manifest', field: `${field}.image` });
    }
    if (isMcpServer(m.doc)) {
      const d = asRecord(asRecord(m.doc.spec).deployment);
      uses.push({ ...base, image: String(d.image), usedBy: `${object} (server container)`, chosenBy: 'manifest', field: 'spec.deployment.image' });
      if (asRecord(m.doc.spec).transportType !== 'http') {
        const own = asString(asRecord(d.initContainer).image);
        const version = kmcpVersionOf(objects, m.env) ?? DEFAULT_KMCP_VERSION;
        uses.push({
          ...base,
          image: own ?? kmcpAdapterImage(version),
          usedBy: `${object} (kMCP transport adapter init container)`,
          chosenBy: own ? 'manifest' : 'controller',
          field: 'spec.deployment.initContainer.image',
        });
      }
    }
    if (isApplication(m.doc)) {
      const source = asRecord(asRecord(m.doc.spec).source);
      const chart = asString(source.chart);
      if (chart === undefined) continue;
      const model = CHART_IMAGES[chart];
      if (!model) {
        findings.push({ check: IMAGE_CHECKS.modelled, object, file: m.file, field: 'spec.source.chart',
          message: `installs chart '${chart}', whose images are not modelled (lib/checks/image-inventory.ts CHART_IMAGES): they could bypass the mirror unseen` });
        continue;
      }
      for (const { image, field } of model(asRecord(asRecord(source.helm).valuesObject), String(source.targetRevision))) {
        uses.push({ ...base, image, usedBy: `chart ${chart} ${source.targetRevision} (${object})`, chosenBy: 'chart', field });
      }
    }
  }
  return { uses, findings };
}

/**
 * Every image mirrored and pinned: a reference whose registry has a configured mirror bypasses
 * it (the mirror rewrites `<registry>/...` into `<prefix>/...`, so a mirrored one no longer
 * names the source registry); one without a tag or with a moving tag is not pinned.
 */
export function checkImageUses(uses: readonly ImageUse[], mirrors: Readonly<Record<string, string>>): Finding[] {
  const findings: Finding[] = [];
  for (const u of uses) {
    const parsed = parseImageRef(u.image);
    const at = { object: u.object, file: u.file, field: u.field };
    if (typeof parsed === 'string') {
      findings.push({ ...at, check: IMAGE_CHECKS.pinned, message: `${u.usedBy}: image "${u.image}" ${parsed}` });
      continue;
    }
    const mirror = mirrors[parsed.registry];
    if (mirror) {
      findings.push({ ...at, check: IMAGE_CHECKS.mirrored, message: `${u.usedBy}: image ${formatImageRef(parsed)} (chosen by the ${u.chosenBy}) is pulled from ${parsed.registry}, bypassing its mirror ${mirror}` });
    }
    const unpinned = unpinnedReason(parsed);
    if (unpinned) findings.push({ ...at, check: IMAGE_CHECKS.pinned, message: `${u.usedBy}: image ${u.image} ${unpinned}` });
  }
  return findings;
}

/** The mirror prefix an image was rewritten to, when it was. */
export function mirrorOf(image: string, mirrors: Readonly<Record<string, string>>): string | undefined {
  return Object.values(mirrors).find((prefix) => image.startsWith(`${prefix}/`));
}

/** One row per distinct image of an environment: the image, who runs it, how it is mirrored. */
export function imageRows(uses: readonly ImageUse[], env: string): Array<{ image: string; usedBy: string[]; chosenBy: Set<string> }> {
  const rows = new Map<string, { image: string; usedBy: string[]; chosenBy: Set<string> }>();
  for (const u of uses.filter((x) => x.env === env)) {
    const row = rows.get(u.image) ?? { image: u.image, usedBy: [], chosenBy: new Set<string>() };
    row.usedBy.push(u.usedBy);
    row.chosenBy.add(u.chosenBy);
    rows.set(u.image, row);
  }
  return [...rows.values()].sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
}
