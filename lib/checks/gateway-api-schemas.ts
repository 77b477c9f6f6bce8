/**
 * Gateway API schemas (`gateway.networking.k8s.io` HTTPRoute and Gateway v1, ReferenceGrant
 * v1beta1) from @kubernetes-models/gateway-api 0.5.1, closed like every CRD schema here.
 *
 * The package's own `validate()` checks types, patterns and bounds (HTTPRoute `timeouts` durations
 * included) but, like kubernetes-models, lets unknown fields through, which the API server would
 * prune without a word (`timeout:` for `timeouts:`, a misplaced `sectionName`). Its schemas are not
 * exported: each model hands its schema to `register()` of its own @kubernetes-models/validate the
 * first time it validates, so that call is observed once to obtain the schema, which is then
 * closed (crd-schemas.ts) and compiled by our ajv. ObjectMeta (the one `$ref`) is checked by the
 * metadata checks, not here.
 */
import type { CrdVersionSchema } from './crd-schemas';

const MODELS = [
  { module: '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute', kind: 'HTTPRoute' },
  { module: '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway', kind: 'Gateway' },
  { module: '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1beta1/ReferenceGrant', kind: 'ReferenceGrant' },
];

/** Replaces the ObjectMeta reference, so the schema compiles on its own. */
function withPlainMetadata(schema: any): Record<string, unknown> {
  return { ...schema, properties: { ...schema.properties, metadata: { type: 'object' } } };
}

let cached: CrdVersionSchema[] | undefined;

/** The schemas, or [] when the package is not installed (it is a devDependency: checks run in development and CI). */
export function gatewayApiSchemas(): CrdVersionSchema[] {
  if (cached) return cached;
  cached = [];
  let validateModule: { register: (id: string, schema: unknown) => void };
  try {
    validateModule = require(require.resolve('@kubernetes-models/validate', { paths: [require.resolve('@kubernetes-models/gateway-api')] }));
  } catch {
    return cached;
  }
  const seen = new Map<string, unknown>();
  const original = validateModule.register;
  validateModule.register = (id: string, schema: unknown) => { seen.set(id, schema); original(id, schema); };
  try {
    for (const { module, kind } of MODELS) {
      const Model = require(module)[kind];
      try { new Model({}).validate(); } catch { /* an empty object is invalid: only the registration matters */ }
      const id = `${Model.apiVersion.replace('/', '.')}.${kind}`;
      const schema = seen.get(id);
      if (!schema) throw new Error(`gateway-api-schemas: ${kind} registered no schema under ${id} (package layout changed?)`);
      cached.push({ apiVersion: Model.apiVersion, kind, schema: withPlainMetadata(schema) });
    }
  } finally {
    validateModule.register = original;
  }
  return cached;
}
