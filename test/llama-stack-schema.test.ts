/**
 * Every Llama Stack run config, in dist/ and as the generator writes it with every feature on,
 * validated against upstream's own schema of its release with every object schema closed (a key
 * upstream would drop silently is an error) and required keys enforced.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDist } from '../lib/checks';
import { closeJsonSchema, compileClosedSchema } from '../lib/checks/closed-json-schema';
import {
  LLAMA_STACK_SCHEMA_DIR, checkLlamaStackRunConfigs, llamaStackRunConfigErrors, llamaStackRunConfigsIn, llamaStackSchemaVersions,
} from '../lib/checks/llama-stack-run-config';
import { LLAMA_STACK_RELEASES } from '../lib/config/llama-stack';
import { allFeatureRunConfigs } from './support/llama-stack';

const dist = loadDist(path.resolve(__dirname, '..'));
const SHARED = path.resolve(__dirname, '..', '..', 'shared', 'schemas', 'llama-stack');

describe('closeJsonSchema', () => {
  test('closes every object schema that lists properties, inside $defs and union branches too', () => {
    const closed = closeJsonSchema({
      $defs: { A: { type: 'object', properties: { x: { type: 'object', properties: {} } } } },
      anyOf: [{ type: 'object', properties: { y: {} } }, { type: 'null' }],
    });
    expect(closed).toEqual({
      $defs: { A: { type: 'object', additionalProperties: false, properties: { x: { type: 'object', additionalProperties: false, properties: {} } } } },
      anyOf: [{ type: 'object', additionalProperties: false, properties: { y: {} } }, { type: 'null' }],
    });
  });

  test('leaves maps and explicitly open objects as they are, and does not treat a property named like a keyword as a schema map', () => {
    const open = { type: 'object', properties: { config: { type: 'object', additionalProperties: true } }, additionalProperties: { type: 'string' } };
    expect(closeJsonSchema(open)).toEqual(open);
    expect(closeJsonSchema({ properties: { properties: { type: 'string' } } })).toEqual({ properties: { properties: { type: 'string' } }, additionalProperties: false });
  });

  test('forbidDeprecated turns a deprecated property into one that may not be given', () => {
    const validate = compileClosedSchema({ type: 'object', properties: { old: { type: 'array', deprecated: true }, new: {} } }, { forbidDeprecated: true });
    expect(validate({ new: 1 })).toBe(true);
    expect(validate({ old: [] })).toBe(false);
  });

  test('the compiled validator refuses an unknown key and a missing required one', () => {
    const validate = compileClosedSchema({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] });
    expect(validate({ a: 'x' })).toBe(true);
    expect(validate({ a: 'x', b: 1 })).toBe(false);
    expect(validate({})).toBe(false);
  });
});

describe('the vendored upstream schemas', () => {
  test('cover every release the platform can configure', () => {
    expect(llamaStackSchemaVersions()).toEqual(Object.keys(LLAMA_STACK_RELEASES).sort());
  });

  (fs.existsSync(SHARED) ? test : test.skip)('are byte-identical to ../shared/schemas/llama-stack', () => {
    for (const v of llamaStackSchemaVersions()) {
      const file = `run-config-${v}.schema.json`;
      expect({ file, same: fs.readFileSync(path.join(LLAMA_STACK_SCHEMA_DIR, file), 'utf8') === fs.readFileSync(path.join(SHARED, file), 'utf8') })
        .toEqual({ file, same: true });
    }
  });
});

describe('the check can fail', () => {
  const good = allFeatureRunConfigs()[0];

  test('a SQL reference where 0.7.1 wants a KV one (the defect that stopped the server) is refused', () => {
    const bad: any = structuredClone(allFeatureRunConfigs().find((c) => c.version === '0.7.1')!.runConfig);
    bad.storage.stores.prompts = { table_name: 'prompts', backend: 'sql_default' };
    const errors = llamaStackRunConfigErrors('0.7.1', bad);
    expect(errors).toContain('/storage/stores/prompts: missing required key "namespace"');
    expect(errors).toContain('/storage/stores/prompts: unknown key "table_name"');
  });

  test('a key upstream drops silently is refused (0.7 dropped registered_resources.tool_groups)', () => {
    const bad: any = structuredClone(allFeatureRunConfigs().find((c) => c.version === '0.7.1')!.runConfig);
    bad.registered_resources.tool_groups = [{ toolgroup_id: 'mcp::x', provider_id: 'model-context-protocol' }];
    expect(llamaStackRunConfigErrors('0.7.1', bad)).toContain('/registered_resources/tool_groups: is deprecated in this release (the program ignores it)');
  });

  test('an API the release does not have (0.7 renamed agents to responses) and a provider type its registry lacks', () => {
    const bad: any = structuredClone(allFeatureRunConfigs().find((c) => c.version === '0.7.1')!.runConfig);
    bad.apis.push('agents');
    bad.providers.agents = [{ provider_id: 'meta-reference', provider_type: 'inline::meta-reference', config: {} }];
    bad.providers.tool_runtime[0].provider_type = 'inline::rag-runtime';
    const errors = llamaStackRunConfigErrors('0.7.1', bad);
    expect(errors).toContain(`/apis/${bad.apis.length - 1}: "agents" is not an API of Llama Stack 0.7.1`);
    expect(errors).toContain('/providers/agents: "agents" is not an API of Llama Stack 0.7.1');
    expect(errors.some((e) => e.startsWith('/providers/tool_runtime/0/provider_type: "inline::rag-runtime" is not a tool_runtime provider'))).toBe(true);
  });

  test('a provider config key its pydantic class does not have, and a provider type without a closed schema', () => {
    const bad: any = structuredClone(good.runConfig);
    bad.providers.files[0].config.storage_path = '/x';
    bad.providers.inference.push({ provider_id: 'x', provider_type: 'remote::tgi', config: {} });
    const errors = llamaStackRunConfigErrors(good.version, bad);
    expect(errors).toContain('/providers/files/0/config: unknown key "storage_path"');
    expect(errors.some((e) => /no closed schema for provider type "remote::tgi"/.test(e))).toBe(true);
  });
});

test('dist/ has Llama Stack run configs, each read back from the ConfigMap its command runs', () => {
  const found = llamaStackRunConfigsIn(dist.objects);
  expect(found.length).toBeGreaterThan(0);
  for (const r of found) expect({ env: r.deployment.env, read: r.runConfig !== undefined }).toEqual({ env: r.deployment.env, read: true });
});

test('every Llama Stack run config in dist/ validates against the closed schema of its release', () => {
  expect(checkLlamaStackRunConfigs(dist.objects).map((f) => `${f.file}: ${f.message}`)).toEqual([]);
});

describe.each(allFeatureRunConfigs().map((c) => [c.label, c] as const))('the generated run config with %s', (_label, c) => {
  test('validates against the closed schema of its release', () => {
    expect(llamaStackRunConfigErrors(c.version, c.runConfig)).toEqual([]);
  });
});
