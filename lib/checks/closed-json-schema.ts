/**
 * Closing a JSON Schema for validating what this project generates against a program's own
 * config schema. Many programs (pydantic models by default, most YAML loaders) drop a key they do
 * not know without an error, so a schema generated from their models accepts it too: a misspelled
 * or release-moved key then validates and silently does nothing. Closing every object schema
 * that lists `properties` (`additionalProperties: false` unless the schema says otherwise) turns
 * such a key into an error.
 *
 * Unlike Kubernetes structural schemas (crd-schemas.ts), the alternatives of `anyOf`/`oneOf` in
 * generated config schemas are complete models (pydantic's discriminated unions, `X | None`),
 * so they are closed as well.
 */
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';

/** Keys whose value is a map of name -> schema, not a schema: each value is closed, not the map. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

export interface CloseOptions {
  /**
   * Also refuse properties the schema marks `deprecated: true` (replaced by the `false` schema).
   * Generated schemas keep a removed key as deprecated while the program ignores it (Llama Stack
   * 0.7's `registered_resources.tool_groups`). @default false
   */
  readonly forbidDeprecated?: boolean;
}

/** A deep copy of `schema` with every object schema that lists `properties` closed (see the file comment). */
export function closeJsonSchema<T>(schema: T, options: CloseOptions = {}): T {
  return close(schema, options) as T;
}

function close(schema: unknown, options: CloseOptions): unknown {
  if (Array.isArray(schema)) return schema.map((s) => close(s, options));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = SCHEMA_MAPS.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k,
        key === 'properties' && options.forbidDeprecated && (v as Record<string, unknown>)?.deprecated === true ? false : close(v, options)]))
      : close(value, options);
  }
  const s = schema as Record<string, unknown>;
  if (s.properties !== undefined && s.additionalProperties === undefined && s.unevaluatedProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * A draft 2020-12 validator of the closed schema. Keywords only generators use (pydantic's
 * `discriminator`, formats such as `path`) are annotations: they are accepted and not checked,
 * since the `oneOf`/`const` they annotate already decide validity.
 */
export function compileClosedSchema(schema: Record<string, unknown>, options: CloseOptions = {}): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  const { $schema: _ignored, ...rest } = closeJsonSchema(schema, options);
  return ajv.compile(rest);
}

/**
 * Readable errors: for a `oneOf`/`anyOf` ajv reports the failure of every branch; when one
 * branch's `const` discriminator matched, only that branch's errors are the useful ones. This
 * keeps the errors of the deepest paths, which are the ones a reader can act on.
 */
export function describeSchemaErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  if (!errors || errors.length === 0) return [];
  const relevant = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const picked = relevant.length > 0 ? relevant : [...errors];
  const lines = picked.map((e) => {
    const where = e.instancePath === '' ? '(root)' : e.instancePath;
    if (e.keyword === 'additionalProperties') return `${where}: unknown key ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`;
    if (e.keyword === 'false schema') return `${where}: is deprecated in this release (the program ignores it)`;
    if (e.keyword === 'required') return `${where}: missing required key ${JSON.stringify((e.params as { missingProperty: string }).missingProperty)}`;
    return `${where}: ${e.message ?? e.keyword}`;
  });
  return [...new Set(lines)];
}
