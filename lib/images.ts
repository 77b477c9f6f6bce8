/**
 * Container image references: parsing, normalising to a fully qualified name and rewriting
 * through a registry mirror. Fully qualified names are used everywhere because CRI-O
 * (OpenShift) refuses ambiguous short names and because a mirror can only be applied to a
 * reference whose registry is explicit.
 */

export interface ImageRef {
  /** Registry host (with port if any), e.g. `docker.io`. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `library/postgres`. */
  readonly repository: string;
  /** Tag, when the reference has one. */
  readonly tag?: string;
  /** Digest (`sha256:...`), when the reference has one. */
  readonly digest?: string;
}

const DEFAULT_REGISTRY = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Parses `[registry/]repository[:tag][@digest]`; returns an error text instead of throwing. */
export function parseImageRef(ref: string): ImageRef | string {
  if (ref.trim() !== ref || ref === '') return 'must be a non-empty image reference without spaces';
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return `has an invalid digest "${digest}" (expected sha256:<64 hex>)`;
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return `has an invalid tag "${tag}"`;
  }
  const parts = rest.split('/');
  let registry = DEFAULT_REGISTRY;
  // A first component is a registry host when it looks like one (dot, port or localhost).
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost')) {
    registry = parts.shift()!;
  }
  if (registry === DEFAULT_REGISTRY && parts.length === 1) parts.unshift('library');
  if (parts.length === 0 || !parts.every((p) => COMPONENT.test(p))) {
    return `has an invalid repository "${parts.join('/')}" (lowercase path components)`;
  }
  return { registry, repository: parts.join('/'), tag, digest };
}

/** Why a reference is not pinned to a release, or undefined when it is. */
export function unpinnedReason(image: ImageRef): string | undefined {
  if (image.digest) return undefined;
  if (!image.tag) return 'has no tag (it would pull "latest")';
  if (image.tag === 'latest') return 'uses the moving tag "latest"';
  // Fork builds are often pushed as `dev-latest`: just as moving.
  if (image.tag.endsWith('-latest')) return `uses the moving tag "${image.tag}"`;
  return undefined;
}

export function formatImageRef(image: ImageRef): string {
  return `${image.registry}/${image.repository}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
}

/**
 * The reference to put in a manifest: fully qualified, and rewritten through the mirror of
 * its registry when one is configured (`mirror prefix + '/' + repository`).
 */
export function resolveImage(ref: string, mirrors: Readonly<Record<string, string>>): string {
  const parsed = parseImageRef(ref);
  if (typeof parsed === 'string') throw new Error(`image "${ref}" ${parsed}`);
  const mirror = mirrors[parsed.registry];
  if (!mirror) return formatImageRef(parsed);
  const [registry, ...path] = mirror.split('/');
  return formatImageRef({ ...parsed, registry, repository: [...path, parsed.repository].join('/') });
}

/** The tag of a reference (for the `app.kubernetes.io/version` label), if it has one. */
export function imageTag(ref: string): string | undefined {
  const parsed = parseImageRef(ref);
  return typeof parsed === 'string' ? undefined : parsed.tag;
}
