/**
 * The strict environment schema (lib/config/schema/): every setting that is not known, has the
 * wrong type, or sits under a switched-off feature fails synth naming the field, before anything
 * is written; the CLI adds where in the environment file it was written.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyDefaults, resolveEnvironments } from '../lib/config/resolve';
import { environmentInput } from '../lib/config/schema/environment';
import { closest } from '../lib/config/schema/issues';
import { EnvironmentInput } from '../lib/config/types';
import { ENVIRONMENTS } from '../lib/environments';
import { expectIssue, issuesOf } from './support/config-issues';
import { minimalEnv, tempDir } from './support/environments';

const ROOT = path.resolve(__dirname, '..');
const loose = (value: unknown): EnvironmentInput => value as EnvironmentInput;
const server = { name: 'files', transport: 'stdio', image: 'docker.io/library/node:22-alpine', cmd: 'npx' } as const;

describe('unknown settings are refused with the full path and a suggestion', () => {
  test('a typo at the top level', () => {
    expectIssue([loose({ ...minimalEnv(), kubernetesMCP: { enabled: true } })], 'environments.test.kubernetesMCP', /unknown setting; did you mean kubernetesMcp\?/);
  });

  test('a typo in a section (enabeld)', () => {
    expectIssue([loose(minimalEnv({ kubernetesMcp: loose({ enabeld: true }) as never }))], 'environments.test.kubernetesMcp.enabeld',
      /^unknown setting; did you mean enabled\?$/);
  });

  test('a typo two levels down (penpot.mcp)', () => {
    expectIssue([loose(minimalEnv({ penpot: { mcp: loose({ hots: 'mcp.test.internal' }) as never } }))], 'environments.test.penpot.mcp.hots', /did you mean host\?/);
  });

  test('a typo in a list entry (kmcp.servers[i])', () => {
    expectIssue([loose(minimalEnv({ kmcp: { enabled: true, servers: [loose({ ...server, volumes: { mountPath: '/data' } }) as never] } }))],
      'environments.test.kmcp.servers[0].volumes', /did you mean volume\?/);
  });

  test('a typo in llamaStack.inference', () => {
    expectIssue([loose(minimalEnv({ kubernetesMcp: { enabled: true }, llamaStack: { enabled: true, inference: loose({ kind: 'vllm', ulr: 'http://x.test.internal/v1' }) as never } }))],
      'environments.test.llamaStack.inference.ulr', /did you mean url\?/);
  });

  test('wrong case is a typo too (tlsSecretname)', () => {
    expectIssue([loose(minimalEnv({ ingress: loose({ tlsSecretname: 'penpot-tls' }) as never }))], 'environments.test.ingress.tlsSecretname', /did you mean tlsSecretName\?/);
  });

  test('a name nothing resembles lists what is allowed', () => {
    expectIssue([loose(minimalEnv({ storage: loose({ frobnicate: 1 }) as never }))], 'environments.test.storage.frobnicate',
      /unknown setting; allowed: className, assetsAccessMode, assetsSize, postgresSize, hostPathBacked/);
  });

  test('a setting the resolved config has under another path is unknown where it was written (penpot.mcp.resources)', () => {
    expectIssue([loose(minimalEnv({ penpot: { mcp: loose({ resources: {} }) as never } }))], 'environments.test.penpot.mcp.resources', /unknown setting/);
  });

  test('an unknown key inside a union branch is named (network.ingressController)', () => {
    expectIssue([loose(minimalEnv({ network: { ingressController: loose({ namespace: 'traefik', podlabels: {} }) as never } }))],
      'environments.test.network.ingressController.podlabels', /did you mean podLabels\?/);
  });
});

describe('wrong types and values are refused naming the field and what is allowed', () => {
  test('a string for a number', () => {
    expectIssue([loose(minimalEnv({ kubernetesMcp: { enabled: true, port: '8080' as never } }))], 'environments.test.kubernetesMcp.port',
      /"8080" \(a string\) has the wrong type; allowed: a number/);
  });

  test('a value of the wrong case gets the right one suggested', () => {
    expectIssue([loose(minimalEnv({ storage: { assetsAccessMode: 'readwritemany' as never } }))], 'environments.test.storage.assetsAccessMode',
      /did you mean "ReadWriteMany"\? allowed: ReadWriteOnce, ReadWriteMany/);
  });

  test('an unknown discriminator gets the closest one suggested', () => {
    expectIssue([loose(minimalEnv({ kubernetesMcp: { enabled: true, exposure: { type: 'Nodeport' as never } } }))], 'environments.test.kubernetesMcp.exposure.type',
      /did you mean "NodePort"\?/);
  });

  test('a missing required name in a list entry is an issue, not a TypeError', () => {
    expectIssue([loose(minimalEnv({ kmcp: { enabled: true, servers: [{ ...server, secrets: [loose({ keys: { API_TOKEN: 'the token' } }) as never] }] } }))],
      'environments.test.kmcp.servers[0].secrets[0].name', /is missing; allowed: a string \(this setting is required\)/);
  });

  test('a missing required top-level setting', () => {
    expectIssue([loose({ name: 'test', domain: 'test.internal' })], 'environments.test.argo', /is missing/);
  });

  test('an environment without a name is labelled by its position', () => {
    expect(issuesOf(loose({ domain: 'test.internal', argo: { repoURL: 'https://git.test.internal/a.git' } }))[0].field).toBe('environments[0].name');
  });

  test('a CIDR with host bits set names the network it probably meant', () => {
    expectIssue([minimalEnv({ network: { mcpClientCidrs: ['10.8.0.1/24'] } })], 'environments.test.network.mcpClientCidrs[0]',
      /host bits set; allowed: the network 10\.8\.0\.0\/24, or 10\.8\.0\.1\/32/);
  });

  test('a CIDR written as its network is accepted', () => {
    expect(() => resolveEnvironments([minimalEnv({ ingress: { allowedSourceCidrs: ['10.8.0.0/24', '192.168.1.7/32'] } })])).not.toThrow();
  });
});

describe('settings under a switched-off feature are refused naming both fields', () => {
  test('penpot.mcp while penpot.enabled is false', () => {
    expectIssue([minimalEnv({ penpot: { enabled: false, mcp: { host: 'mcp.test.internal' } }, kubernetesMcp: { enabled: true } })],
      'environments.test.penpot.mcp', /penpot\.enabled is false, so it would have no effect; allowed: set penpot\.enabled: true, or remove penpot\.mcp/);
  });

  test('kubernetesMcp.exposure while kubernetesMcp is off by default', () => {
    expectIssue([minimalEnv({ kubernetesMcp: { exposure: { type: 'NodePort', nodePort: 30808 } } })], 'environments.test.kubernetesMcp.exposure',
      /kubernetesMcp\.enabled is false \(its default\)/);
  });

  test('llamaStack settings without llamaStack.enabled', () => {
    expectIssue([minimalEnv({ llamaStack: { ingressHost: 'llama.test.internal' } })], 'environments.test.llamaStack.ingressHost', /llamaStack\.enabled is false/);
  });

  test('a switched-off feature alone is accepted', () => {
    expect(() => resolveEnvironments([minimalEnv({ kubernetesMcp: { enabled: false }, smokeChecks: { enabled: false } })])).not.toThrow();
  });
});

describe('acknowledged Helm release access', () => {
  const helm = (extra: object) => minimalEnv({ kubernetesMcp: { enabled: true, helmReleaseAccess: true, ...extra } });

  test('helmReleaseAccess without an acknowledgement is refused', () => {
    expectIssue([helm({})], 'environments.test.kubernetesMcp.helmReleaseAccessAcknowledged', /is missing while helmReleaseAccess is true/);
  });

  test('an acknowledgement that is not a sentence is refused', () => {
    expectIssue([helm({ helmReleaseAccessAcknowledged: 'ok' })], 'environments.test.kubernetesMcp.helmReleaseAccessAcknowledged', /not a reason/);
  });

  test('an acknowledgement without helmReleaseAccess is refused', () => {
    expectIssue([minimalEnv({ kubernetesMcp: { enabled: true, helmReleaseAccessAcknowledged: 'agents debug failed Helm upgrades here' } })],
      'environments.test.kubernetesMcp.helmReleaseAccessAcknowledged', /does not take/);
  });

  test('an acknowledged one is accepted', () => {
    expect(() => resolveEnvironments([helm({ helmReleaseAccessAcknowledged: 'agents debug failed Helm upgrades in this dev cluster' })])).not.toThrow();
  });
});

describe('the schema is the one source of the settings', () => {
  /** Dotted paths of every object key the schema lists (lists and maps stop the walk). */
  function schemaKeys(schema: any, prefix = ''): string[] {
    let def = schema._zod.def;
    while (['optional', 'nullable', 'default', 'readonly'].includes(def.type)) def = def.innerType._zod.def;
    if (def.type === 'union') return [...new Set(def.options.flatMap((o: any) => schemaKeys(o, prefix)))] as string[];
    if (def.type !== 'object') return [];
    return Object.entries<any>(def.shape).flatMap(([k, v]) => [`${prefix}${k}`, ...schemaKeys(v, `${prefix}${k}.`)]);
  }

  /** Every object key of a value (lists and maps stop the walk, as in the schema). */
  function valueKeys(value: any, prefix = ''): string[] {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
    return Object.entries(value).flatMap(([k, v]) => [`${prefix}${k}`, ...valueKeys(v, `${prefix}${k}.`)]);
  }

  const MAPS = ['images.mirrors', 'monitoring.prometheusRules.labels', 'monitoring.prometheus.podLabels', 'network.ingressController.podLabels',
    'network.ingressController.namespaceLabels', 'network.dns.podLabels'];

  test('every setting of the schema reaches the resolved configuration at the same path', () => {
    const everything = minimalEnv({
      penpot: { mcp: { exposure: { type: 'NodePort', nodePort: 30002 } }, smtp: { host: 'smtp.test.internal', defaultFrom: 'a@test.internal' }, oidc: { baseUri: 'https://sso.test.internal' },
        objectStorage: { backend: 's3', bucket: 'penpot', region: 'r', endpoint: 'https://s3.test.internal' },
        backup: { offsite: { repository: 'rest:https://nas.test.internal/penpot', egress: { cidrs: ['192.0.2.10/32'] } } } },
      kubernetesMcp: { enabled: true, autoscaling: { minReplicas: 1, maxReplicas: 2 }, exposure: { type: 'NodePort', nodePort: 30001 },
        auth: { oidc: { issuerUrl: 'https://sso.test.internal' } } },
      llamaStack: { enabled: true, autoscaling: { minReplicas: 1, maxReplicas: 2 },
        storage: { externalPostgres: { host: 'pg.test.internal', secret: 'llama-pg', cidrs: ['10.0.0.0/8'] } } },
      monitoring: { prometheusRules: { labels: {} } },
      network: { dns: { namespace: 'kube-system', podLabels: {}, ports: [53] } },
      ingress: { controller: 'gateway-api', gateway: { name: 'g', namespace: 'gateway', sectionName: 'http', implementation: 'traefik', create: { gatewayClassName: 'traefik', listeners: [] } } },
    });
    const resolved = new Set(valueKeys(applyDefaults(everything)));
    // Written per container under penpot.resources; kMCP servers are a list (checked by their own test).
    const missing = schemaKeys(environmentInput).filter((k) => !resolved.has(k) && !MAPS.some((m) => k.startsWith(`${m}.`)))
      .filter((k) => !k.startsWith('kmcp.servers.') && !k.startsWith('network.ingressController.namespaceLabels'));
    expect(missing).toEqual([]);
  });

  test('every setting of the resolved configuration can be written in an environment file', () => {
    const schema = new Set(schemaKeys(environmentInput));
    const resolved = valueKeys(applyDefaults(minimalEnv({ kubernetesMcp: { enabled: true } })))
      .filter((k) => !MAPS.some((m) => k.startsWith(`${m}.`)) && !/^penpot\.mcp\.resources/.test(k));
    expect(resolved.filter((k) => !schema.has(k))).toEqual([]);
  });

  test('the shipped environments pass the schema', () => {
    for (const env of ENVIRONMENTS) expect(environmentInput.safeParse(env).error?.issues ?? []).toEqual([]);
  });
});

describe('suggestions', () => {
  test('a transposition or a missing letter is one edit away', () => {
    expect(closest('enabeld', ['enabled', 'namespace'])).toBe('enabled');
    expect(closest('namespce', ['enabled', 'namespace'])).toBe('namespace');
  });

  test('an unrelated word gets no suggestion', () => {
    expect(closest('frobnicate', ['enabled', 'namespace'])).toBeUndefined();
  });
});

describe('the synth command points at the line of a bad environment file', () => {
  /** A scratch copy of the project whose homelab environment is edited by `edit`. */
  function scratchProject(edit: (source: string) => string): string {
    const dir = tempDir('penpot-schema-');
    for (const entry of ['lib', 'scripts', 'imports', 'ops']) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    for (const file of ['main.ts', 'package.json', 'tsconfig.json']) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const envFile = path.join(dir, 'lib', 'environments', 'homelab.ts');
    fs.writeFileSync(envFile, edit(fs.readFileSync(envFile, 'utf8')));
    return dir;
  }

  function synthIn(dir: string) {
    const r = spawnSync(process.execPath, ['-r', './scripts/register.js', 'main.ts', '--outdir', 'out'],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, TS_REGISTER_CACHE_DIR: path.join(dir, '.cache') } });
    return { status: r.status, stderr: r.stderr, written: fs.existsSync(path.join(dir, 'out')) };
  }

  test('a typo is reported as file:line:column, field and suggestion; nothing is written', () => {
    const dir = scratchProject((s) => s.replace('kubernetesMcp: { enabled: true }', 'kubernetesMcp: { enabeld: true }'));
    const r = synthIn(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ {2}- lib\/environments\/homelab\.ts:\d+:\d+: environments\.homelab\.kubernetesMcp\.enabeld: unknown setting; did you mean enabled\?$/m);
    expect(r.written).toBe(false);
  });

  test('a syntax error is one line with file:line:column and no stack; nothing is written', () => {
    const dir = scratchProject((s) => s.replace("kagent: { enabled: true,", 'kagent: { enabled: true'));
    const r = synthIn(dir);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^lib\/environments\/homelab\.ts:\d+:\d+: syntax error: Expected "}" but found "agentNamespaces"; nothing was written$/)]);
    expect(r.written).toBe(false);
  });
});
