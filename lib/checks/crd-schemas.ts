/**
 * Schema validation of custom resources against the `openAPIV3Schema` of their upstream CRDs
 * (the copies in `../shared/crds/`), with ajv. kubernetes-models has no classes for kMCP/kagent
 * kinds, and the Argo CD package is generated from older CRDs than the 3.5.1 we target.
 *
 * The API server prunes fields a structural schema does not declare, silently: a typo such as
 * `deployment.imagee` would vanish on apply. So every object schema that lists `properties` and
 * neither allows additional properties nor preserves unknown fields is closed here
 * (`additionalProperties: false`), turning a silent prune into a finding.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { McpServer } from '../../imports/kmcp-kagent.dev';
import { RemoteMcpServer } from '../../imports/kagent-kagent.dev';
import { ModelClass, registerModel } from './model-registry';
import { gatewayApiSchemas } from './gateway-api-schemas';
import { ROUTE_SCHEMA } from './route-schema';
import { TRAEFIK_MIDDLEWARE_SCHEMA } from './traefik-middleware-schema';

/** Where the CRD copies live: beside the project, overridable for tests. */
export const DEFAULT_CRD_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'crds');

export function crdDir(): string {
  return process.env.PLATFORM_CRD_DIR ?? DEFAULT_CRD_DIR;
}

/** One served version of a CRD: what an object's apiVersion/kind is checked against. */
export interface CrdVersionSchema {
  readonly apiVersion: string;
  readonly kind: string;
  readonly schema: Record<string, unknown>;
}

const JUNCTORS = new Set(['allOf', 'anyOf', 'oneOf', 'not']);

/** Closes object schemas the way the API server's pruning would treat them (see the file comment). */
export function closeStructuralSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeStructuralSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    // `properties` holds field names, not schemas-of-schemas: recurse into each value only.
    // Junctors (allOf/anyOf/oneOf/not) only add value checks in structural schemas: closing their
    // `properties` would make every branch fail on any other field and turn the rules vacuous.
    out[key] = JUNCTORS.has(key) ? value
      : key === 'properties' && value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, closeStructuralSchema(v)]))
        : closeStructuralSchema(value);
  }
  const s = schema as Record<string, unknown>;
  if (s.properties && s.additionalProperties === undefined && s['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

/** The served versions of every CRD in the YAML text (several documents allowed). */
export function crdVersionSchemas(yamlText: string): CrdVersionSchema[] {
  const found: CrdVersionSchema[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    const crd = doc.toJS() as any;
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    for (const version of crd.spec?.versions ?? []) {
      const schema = version.schema?.openAPIV3Schema;
      if (!version.served || !schema) continue;
      found.push({ apiVersion: `${crd.spec.group}/${version.name}`, kind: crd.spec.names.kind, schema });
    }
  }
  return found;
}

let ajv: Ajv | undefined;

function compile(schema: Record<string, unknown>): ValidateFunction {
  // strict: false lets the x-kubernetes-* vendor keywords through; formats such as int32 are
  // informational in CRDs (the API server does not enforce most of them either).
  ajv ??= new Ajv({ strict: false, allErrors: false, validateFormats: false });
  return ajv.compile(closeStructuralSchema(schema) as object);
}

/** A model class (the kubernetes-models shape) whose validate() throws ajv's first error. */
export function crdModel(entry: CrdVersionSchema): ModelClass {
  let validate: ValidateFunction | undefined;
  return class {
    constructor(private readonly data: unknown) {}
    validate(): void {
      validate ??= compile(entry.schema);
      if (validate(this.data)) return;
      const errors = validate.errors ?? [];
      const first = errors[0];
      const detail = first?.keyword === 'additionalProperties'
        ? `unknown field "${String((first.params as any).additionalProperty)}" (the API server would drop it)`
        : first?.message ?? 'invalid';
      throw Object.assign(new Error(`${first?.instancePath || '/'} ${detail}`), { errors });
    }
  };
}

/**
 * Registers a model for every served version of every CRD file in `dir`. Returns what was
 * registered; an absent folder registers nothing (the typed imports still type-check objects).
 */
export function registerCrdSchemas(dir: string = crdDir()): CrdVersionSchema[] {
  if (!fs.existsSync(dir)) return [];
  const entries = fs.readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) => crdVersionSchemas(fs.readFileSync(path.join(dir, f), 'utf8')));
  for (const entry of entries) registerModel(entry.apiVersion, entry.kind, crdModel(entry));
  return entries;
}

/**
 * Kinds we create through the typed imports. Without the CRD folder they are still known (the
 * compiler checked their shape against the generated classes); only the basic shape is checked.
 */
const IMPORTED_KINDS = [McpServer.GVK, RemoteMcpServer.GVK];

class ImportedKindModel {
  constructor(private readonly data: any) {}
  validate(): void {
    if (typeof this.data?.spec !== 'object' || this.data.spec === null) {
      throw Object.assign(new Error('/spec must be an object'), { errors: [{ instancePath: '/spec' }] });
    }
  }
}

let loaded = false;

/** Registers the CRD models once per process; called by the schema check before the first lookup. */
export function loadCrdModelsOnce(): void {
  if (loaded) return;
  loaded = true;
  // OpenShift Routes (no CRD copy in ../shared/crds; a copy there would replace this one).
  registerModel(ROUTE_SCHEMA.apiVersion, ROUTE_SCHEMA.kind, crdModel(ROUTE_SCHEMA));
  // Gateway API and Traefik kinds of the routing (lib/routing/); copies in ../shared/crds would replace them.
  for (const entry of [...gatewayApiSchemas(), TRAEFIK_MIDDLEWARE_SCHEMA]) registerModel(entry.apiVersion, entry.kind, crdModel(entry));
  const entries = registerCrdSchemas();
  for (const gvk of IMPORTED_KINDS) {
    if (!entries.some((e) => e.apiVersion === gvk.apiVersion && e.kind === gvk.kind)) registerModel(gvk.apiVersion, gvk.kind, ImportedKindModel);
  }
}
