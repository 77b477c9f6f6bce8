import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { closeStructuralSchema, crdDir, crdModel, crdVersionSchemas, registerCrdSchemas } from '../../lib/checks/crd-schemas';
import { checkSchemas } from '../../lib/checks/schema';
import { ManifestObject } from '../../lib/checks/model';

const mo = (doc: any): ManifestObject => ({ doc, file: 'dist/e/mcp/mcp.k8s.yaml', env: 'e', app: 'mcp' });
const hasCrds = fs.existsSync(crdDir());
// The CRD copies live beside the project (../shared/crds); where that folder is absent the
// typed imports are the only schema and these tests have nothing to validate against.
const describeWithCrds = hasCrds ? describe : describe.skip;

const mcpServer = (spec: Record<string, unknown>) => ({
  apiVersion: 'kagent.dev/v1alpha1', kind: 'MCPServer', metadata: { name: 'fs', namespace: 'mcp-system' }, spec,
});
const stdioSpec = { transportType: 'stdio', stdioTransport: {}, deployment: { image: 'node:22', cmd: 'npx', args: ['-y', 'x'], port: 3000 } };

describe('closeStructuralSchema', () => {
  it('closes objects with properties like the API server prunes them', () => {
    expect(closeStructuralSchema({ type: 'object', properties: { a: { type: 'object', properties: { b: {} } } } })).toEqual({
      type: 'object', additionalProperties: false, properties: { a: { type: 'object', additionalProperties: false, properties: { b: {} } } },
    });
  });

  it('leaves maps and preserve-unknown-fields objects open', () => {
    const map = { type: 'object', additionalProperties: { type: 'string' } };
    const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: {} } };
    expect(closeStructuralSchema(map)).toEqual(map);
    expect(closeStructuralSchema(open)).toEqual(open);
  });

  it('does not mistake a field named "properties" for a schema keyword of its parent', () => {
    const schema = { type: 'object', properties: { properties: { type: 'string' } } };
    expect(closeStructuralSchema(schema)).toEqual({ ...schema, additionalProperties: false });
  });
});

describe('crdVersionSchemas', () => {
  it('reads every served version of every CRD in a multi-document file', () => {
    const crd = (kind: string, versions: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: x }
spec:
  group: example.com
  names: { kind: ${kind} }
  versions: ${versions}
`;
    const text = [
      crd('A', '[{ name: v1, served: true, schema: { openAPIV3Schema: { type: object } } }, { name: v0, served: false, schema: { openAPIV3Schema: { type: object } } }]'),
      crd('B', '[{ name: v2, served: true, schema: { openAPIV3Schema: { type: object } } }]'),
    ].join('---\n');
    expect(crdVersionSchemas(text).map((e) => `${e.apiVersion} ${e.kind}`)).toEqual(['example.com/v1 A', 'example.com/v2 B']);
  });
});

describe('crdModel', () => {
  const Model = crdModel({ apiVersion: 'example.com/v1', kind: 'A', schema: {
    type: 'object', properties: { spec: { type: 'object', required: ['port'], properties: { port: { type: 'integer', maximum: 65535 } } } },
  } });

  it('accepts an object that matches', () => {
    expect(() => new Model({ spec: { port: 80 } }).validate()).not.toThrow();
  });

  it('names an unknown field the API server would drop', () => {
    expect(() => new Model({ spec: { port: 80, prot: 1 } }).validate()).toThrow(/\/spec unknown field "prot"/);
  });

  it('reports a value out of range with its path', () => {
    expect(() => new Model({ spec: { port: 70000 } }).validate()).toThrow(/\/spec\/port/);
  });
});

describe('registerCrdSchemas', () => {
  it('registers nothing for a folder that does not exist', () => {
    expect(registerCrdSchemas(path.join(os.tmpdir(), 'no-such-crd-folder'))).toEqual([]);
  });
});

describeWithCrds('objects against the upstream CRDs in ../shared/crds', () => {
  it('finds the kMCP, kagent and Argo CD kinds the platform creates', () => {
    const kinds = registerCrdSchemas().map((e) => `${e.apiVersion} ${e.kind}`);
    expect(kinds).toEqual(expect.arrayContaining([
      'kagent.dev/v1alpha1 MCPServer', 'kagent.dev/v1alpha2 RemoteMCPServer', 'argoproj.io/v1alpha1 Application',
    ]));
  });

  it('accepts a stdio MCPServer', () => {
    expect(checkSchemas([mo(mcpServer(stdioSpec))])).toEqual([]);
  });

  it('rejects an MCPServer transport the CRD does not allow', () => {
    const [f] = checkSchemas([mo(mcpServer({ ...stdioSpec, transportType: 'sse' }))]);
    expect(f).toMatchObject({ check: 'schema/invalid', field: 'spec.transportType' });
  });

  it('rejects a misspelt MCPServer field instead of letting the API server drop it', () => {
    const [f] = checkSchemas([mo(mcpServer({ ...stdioSpec, deployment: { ...stdioSpec.deployment, imagee: 'x' } }))]);
    expect(f.message).toMatch(/unknown field "imagee"/);
  });

  it('rejects an MCPServer env value that is not a plain string (the CRD has no valueFrom)', () => {
    const [f] = checkSchemas([mo(mcpServer({ ...stdioSpec, deployment: { ...stdioSpec.deployment, env: { TOKEN: { valueFrom: {} } } } }))]);
    expect(f).toMatchObject({ check: 'schema/invalid' });
  });

  it('requires a description and url on a RemoteMCPServer', () => {
    const doc = { apiVersion: 'kagent.dev/v1alpha2', kind: 'RemoteMCPServer', metadata: { name: 'k', namespace: 'kagent' }, spec: { url: 'http://a.b:80/mcp' } };
    const [f] = checkSchemas([mo(doc)]);
    expect(f.message).toMatch(/description/);
  });
});
