/**
 * Llama Stack run configs in dist/, validated against upstream's own schema of their release
 * (`schemas/llama-stack/run-config-<version>.schema.json`, generated from the pydantic
 * `StackConfig` at that tag), closed so that a key upstream would drop silently is an error.
 *
 * The run-config schema types provider `config` blocks loosely (each provider validates its own
 * block at start, and refuses to start when it fails). So the provider configs this project
 * writes get closed schemas of their own here, each transcribed from the provider's pydantic
 * config class at the pinned tags (file named per entry). A provider type without an entry is a
 * finding too: the table must grow with what the generator writes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { compileClosedSchema, describeSchemaErrors } from './closed-json-schema';
import { asArray, asRecord, containersOf, Finding, findingAt, ManifestObject, podSpecOf } from './model';
import { parse as parseYaml } from 'yaml';

export const LLAMA_STACK_CHECKS = {
  schema: 'llama-stack/run-config-schema',
  unknownRelease: 'llama-stack/unknown-release',
  unreadable: 'llama-stack/run-config-missing',
} as const;

/** The vendored copies of upstream's schemas (schemas/README.md). */
export const LLAMA_STACK_SCHEMA_DIR = path.resolve(__dirname, '..', '..', 'schemas', 'llama-stack');

export function llamaStackSchemaFile(version: string): string {
  return path.join(LLAMA_STACK_SCHEMA_DIR, `run-config-${version}.schema.json`);
}

/** Releases with a schema copy. */
export function llamaStackSchemaVersions(): string[] {
  return fs.readdirSync(LLAMA_STACK_SCHEMA_DIR)
    .map((f) => /^run-config-(.+)\.schema\.json$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort();
}

type Schema = Record<string, unknown>;
const KV_REF = { $ref: '#/$defs/KVStoreReference' };
const SQL_REF = { $ref: '#/$defs/SqlStoreReference' };
const RESPONSES_REF = { $ref: '#/$defs/ResponsesStoreReference' };
const ANY = {};
const obj = (properties: Record<string, unknown>, required: string[] = []): Schema => ({ type: 'object', properties, required });

/** `RemoteInferenceProviderConfig` (providers/utils/inference/model_registry.py, same keys at v0.6.1 and v0.7.1). */
const REMOTE_INFERENCE_BASE = { allowed_models: ANY, refresh_models: { type: 'boolean' }, network: { type: 'object' } };

/**
 * Provider type -> closed schema of its `config`, per release where they differ. Sources
 * (llamastack/llama-stack at v0.6.1 and v0.7.1, src/llama_stack/providers/...):
 * - remote::vllm: remote/inference/vllm/config.py `VLLMInferenceAdapterConfig` (`auth_credential` alias `api_token`)
 * - remote::ollama: remote/inference/ollama/config.py `OllamaImplConfig` (no alias on `auth_credential`)
 * - remote::openai: remote/inference/openai/config.py `OpenAIConfig` (base `auth_credential` alias `api_key`)
 * - inline::builtin (0.7) / inline::meta-reference (0.6): inline/responses/builtin/config.py `ResponsesPersistenceConfig`,
 *   inline/agents/meta_reference/config.py `AgentPersistenceConfig`: `agent_state` and `responses` both required
 * - inline::file-search (0.7) / inline::rag-runtime (0.6): `vector_stores_config` only
 * - remote::model-context-protocol: `MCPProviderConfig` has no fields
 * - inline::faiss: inline/vector_io/faiss/config.py `persistence: KVStoreReference` (required)
 * - remote::pgvector: remote/vector_io/pgvector/config.py `PGVectorVectorIOConfig`
 * - inline::localfs: inline/files/localfs/config.py `storage_dir`, `metadata_store` (both required), `ttl_secs`
 * - inline::pypdf: inline/file_processor/pypdf/config.py `PyPDFFileProcessorConfig`
 */
export const PROVIDER_CONFIG_SCHEMAS: Readonly<Record<string, Schema>> = {
  'remote::vllm': obj({ ...REMOTE_INFERENCE_BASE, base_url: { type: 'string' }, max_tokens: ANY, api_token: { type: 'string' }, tls_verify: ANY }),
  'remote::ollama': obj({ ...REMOTE_INFERENCE_BASE, base_url: { type: 'string' }, auth_credential: { type: 'string' } }),
  'remote::openai': obj({ ...REMOTE_INFERENCE_BASE, base_url: { type: 'string' }, api_key: { type: 'string' } }),
  'inline::builtin': obj({ persistence: obj({ agent_state: KV_REF, responses: RESPONSES_REF }, ['agent_state', 'responses']), vector_stores_config: ANY }, ['persistence']),
  'inline::meta-reference': obj({ persistence: obj({ agent_state: KV_REF, responses: RESPONSES_REF }, ['agent_state', 'responses']), vector_stores_config: ANY }, ['persistence']),
  'inline::file-search': obj({ vector_stores_config: ANY }),
  'inline::rag-runtime': obj({ vector_stores_config: ANY }),
  'remote::model-context-protocol': obj({}),
  'inline::faiss': obj({ persistence: KV_REF }, ['persistence']),
  'inline::localfs': obj({ storage_dir: { type: 'string' }, metadata_store: SQL_REF, ttl_secs: { type: 'integer' } }, ['storage_dir', 'metadata_store']),
  'inline::pypdf': obj({
    default_chunk_size_tokens: { type: 'integer' }, default_chunk_overlap_tokens: { type: 'integer' },
    max_file_size_bytes: { type: 'integer' }, extract_metadata: { type: 'boolean' }, clean_text: { type: 'boolean' },
  }),
};

const COMMON_APIS = ['providers', 'inference', 'safety', 'batches', 'vector_io', 'datasetio', 'scoring', 'eval', 'tool_runtime', 'models',
  'shields', 'vector_stores', 'datasets', 'scoring_functions', 'benchmarks', 'tool_groups', 'files', 'file_processors', 'prompts',
  'conversations', 'connectors', 'inspect', 'admin'];
/**
 * The `Api` enum of each release (src/llama_stack_api/datatypes.py: v0.6.1 line 92, v0.7.1 line 95).
 * The run-config schema types `apis` and the `providers` keys as plain strings; the server
 * refuses a name outside the enum at start. 0.7 renamed `agents` to `responses` and dropped
 * `post_training`.
 */
export const RELEASE_APIS: Readonly<Record<string, readonly string[]>> = {
  '0.6.1': [...COMMON_APIS, 'agents', 'post_training'],
  '0.7.1': [...COMMON_APIS, 'responses'],
};

/**
 * Provider types registered per API in each release, for the APIs this project configures
 * (src/llama_stack/providers/registry/<api>.py at the tag; inference lists only the kinds the
 * config offers). A provider type the registry does not list stops the start.
 */
export const RELEASE_PROVIDER_TYPES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  '0.6.1': {
    inference: ['remote::ollama', 'remote::vllm', 'remote::openai'],
    agents: ['inline::meta-reference'],
    files: ['inline::localfs', 'remote::s3', 'remote::openai'],
    file_processors: ['inline::pypdf'],
    tool_runtime: ['inline::rag-runtime', 'remote::model-context-protocol'],
    vector_io: ['inline::faiss', 'inline::sqlite-vec', 'remote::pgvector'],
  },
  '0.7.1': {
    inference: ['remote::ollama', 'remote::vllm', 'remote::openai'],
    responses: ['inline::builtin'],
    files: ['inline::localfs', 'remote::s3', 'remote::openai'],
    file_processors: ['inline::pypdf', 'inline::docling'],
    tool_runtime: ['inline::file-search', 'remote::model-context-protocol'],
    vector_io: ['inline::faiss', 'inline::sqlite-vec', 'remote::pgvector'],
  },
};

/** API names and provider types the release does not have (see RELEASE_APIS, RELEASE_PROVIDER_TYPES). */
function releaseNameErrors(version: string, runConfig: unknown): string[] {
  const apis = RELEASE_APIS[version];
  const types = RELEASE_PROVIDER_TYPES[version];
  if (!apis || !types) return [`(root): no API table for Llama Stack ${version} in RELEASE_APIS / RELEASE_PROVIDER_TYPES`];
  const errors: string[] = [];
  const rc = asRecord(runConfig);
  asArray(rc.apis).forEach((api, i) => {
    if (!apis.includes(api)) errors.push(`/apis/${i}: ${JSON.stringify(api)} is not an API of Llama Stack ${version}`);
  });
  for (const [api, list] of Object.entries(asRecord(rc.providers))) {
    if (!apis.includes(api)) {
      errors.push(`/providers/${api}: ${JSON.stringify(api)} is not an API of Llama Stack ${version}`);
      continue;
    }
    asArray(list).forEach((p, i) => {
      const type = asRecord(p).provider_type;
      const known = types[api];
      if (known && !known.includes(type)) {
        errors.push(`/providers/${api}/${i}/provider_type: ${JSON.stringify(type)} is not a ${api} provider of Llama Stack ${version}; allowed: ${known.join(', ')}`);
      }
    });
  }
  return errors;
}

const runConfigValidators = new Map<string, ValidateFunction>();
const providerValidators = new Map<string, ValidateFunction>();

function upstreamSchema(version: string): Schema | undefined {
  const file = llamaStackSchemaFile(version);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as Schema : undefined;
}

function runConfigValidator(version: string): ValidateFunction | undefined {
  if (!runConfigValidators.has(version)) {
    const schema = upstreamSchema(version);
    if (!schema) return undefined;
    runConfigValidators.set(version, compileClosedSchema(schema, { forbidDeprecated: true }));
  }
  return runConfigValidators.get(version);
}

function providerValidator(version: string, providerType: string): ValidateFunction | undefined {
  const key = `${version} ${providerType}`;
  if (!providerValidators.has(key)) {
    const schema = upstreamSchema(version);
    const own = PROVIDER_CONFIG_SCHEMAS[providerType];
    if (!schema || !own) return undefined;
    // The store references are the release's own $defs.
    providerValidators.set(key, compileClosedSchema({ ...own, $defs: schema.$defs }, { forbidDeprecated: true }));
  }
  return providerValidators.get(key);
}

/**
 * Every problem of one run config against the closed schema of `version`, as
 * `<json pointer>: <problem>` lines; [] when it validates. Throws for a release without a schema.
 */
export function llamaStackRunConfigErrors(version: string, runConfig: unknown): string[] {
  const validate = runConfigValidator(version);
  if (!validate) throw new Error(`no Llama Stack ${version} schema in ${LLAMA_STACK_SCHEMA_DIR}`);
  const errors = validate(runConfig) ? [] : describeSchemaErrors(validate.errors);
  errors.push(...releaseNameErrors(version, runConfig));
  for (const [api, list] of Object.entries(asRecord(asRecord(runConfig).providers))) {
    asArray(list).forEach((p, i) => {
      const type = asRecord(p).provider_type;
      const at = `/providers/${api}/${i}/config`;
      const check = typeof type === 'string' ? providerValidator(version, type) : undefined;
      if (!check) {
        errors.push(`${at}: no closed schema for provider type ${JSON.stringify(type)} (add it to PROVIDER_CONFIG_SCHEMAS from its upstream config class)`);
      } else if (!check(asRecord(p).config ?? {})) {
        errors.push(...describeSchemaErrors(check.errors).map((e) => (e.startsWith('(root)') ? `${at}${e.slice(6)}` : `${at}${e}`)));
      }
    });
  }
  return errors;
}

/** A Llama Stack Deployment of dist/ with the run config its command runs. */
export interface LlamaStackRunConfigInDist {
  readonly deployment: ManifestObject;
  /** The release, from the image tag. */
  readonly version: string;
  /** The file the command runs, e.g. `/etc/llama-stack/config.yaml`. */
  readonly file: string;
  readonly configMap?: ManifestObject;
  readonly text?: string;
  readonly runConfig?: unknown;
}

/** `<cli> stack run <file>`: how the image's entrypoint (and our command) starts the server. */
function runFileOf(container: any): string | undefined {
  const cmd = [...asArray(container?.command), ...asArray(container?.args)];
  const i = cmd.findIndex((part, k) => part === 'stack' && cmd[k + 1] === 'run');
  return i >= 0 && typeof cmd[i + 2] === 'string' ? cmd[i + 2] : undefined;
}

/** Every workload in `objects` that runs `llama stack run <file>`, with its run config read back from its ConfigMap. */
export function llamaStackRunConfigsIn(objects: readonly ManifestObject[]): LlamaStackRunConfigInDist[] {
  const out: LlamaStackRunConfigInDist[] = [];
  for (const m of objects) {
    const spec = podSpecOf(m.doc);
    if (!spec) continue;
    for (const c of containersOf(spec)) {
      const file = runFileOf(c);
      if (!file) continue;
      const version = String(c.image ?? '').split(':').pop() ?? '';
      const mount = asArray(c.volumeMounts).find((v: any) => typeof v?.mountPath === 'string' && file.startsWith(`${v.mountPath}/`));
      const volume = asArray(spec.volumes).find((v: any) => v?.name === mount?.name);
      const cmName = volume?.configMap?.name;
      const configMap = objects.find((o) => o.env === m.env && o.doc?.kind === 'ConfigMap'
        && o.doc?.metadata?.namespace === m.doc?.metadata?.namespace && o.doc?.metadata?.name === cmName);
      const key = mount ? file.slice(String(mount.mountPath).length + 1) : undefined;
      const text = key === undefined ? undefined : configMap?.doc?.data?.[key];
      out.push({ deployment: m, version, file, configMap, text, runConfig: typeof text === 'string' ? parseYaml(text) : undefined });
    }
  }
  return out;
}

/** Findings for every Llama Stack run config of dist/ (see the file comment). */
export function checkLlamaStackRunConfigs(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  const known = new Set(llamaStackSchemaVersions());
  for (const r of llamaStackRunConfigsIn(objects)) {
    if (r.runConfig === undefined) {
      findings.push(findingAt(LLAMA_STACK_CHECKS.unreadable, r.deployment, `runs ${r.file}, which no mounted ConfigMap key provides`));
    } else if (!known.has(r.version)) {
      findings.push(findingAt(LLAMA_STACK_CHECKS.unknownRelease, r.deployment,
        `runs Llama Stack ${JSON.stringify(r.version)}, for which schemas/llama-stack/ has no run-config schema; allowed: ${[...known].join(', ')}`));
    } else {
      for (const e of llamaStackRunConfigErrors(r.version, r.runConfig)) {
        findings.push(findingAt(LLAMA_STACK_CHECKS.schema, r.configMap ?? r.deployment, `${r.file} (Llama Stack ${r.version}) ${e}`));
      }
    }
  }
  return findings;
}
