import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDist, loadObjectsFromYaml } from '../../lib/checks/load';
import { SecretsContract } from '../../lib/checks/model';

function write(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

const cm = (name: string, ns: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ${ns}}\n`;
const contract: SecretsContract = {
  environment: 'homelab',
  secrets: [{ name: 's', namespace: 'penpot', type: 'Opaque', purpose: 'p', keys: [{ key: 'k', description: 'd', source: 'random' }], readBy: [], createdBy: 'me', createCommand: 'kubectl' }],
};

describe('loadDist', () => {
  let repo: string;
  beforeEach(() => { repo = fs.mkdtempSync(path.join(os.tmpdir(), 'checks-')); });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('reads every env, app and nested file with its contract and directories', () => {
    write(repo, 'dist/homelab/penpot/penpot.k8s.yaml', `${cm('a', 'penpot')}---\n---\n${cm('b', 'penpot')}`);
    write(repo, 'dist/homelab/penpot/extra/more.yml', cm('c', 'penpot'));
    write(repo, 'dist/homelab/root.yaml', cm('d', 'argocd'));
    write(repo, 'dist/homelab/secrets.json', JSON.stringify(contract));
    write(repo, 'dist/cloud/mcp/mcp.k8s.yaml', cm('e', 'mcp'));
    write(repo, 'dist/cloud/mcp/notes.txt', 'ignored');

    const dist = loadDist(repo);

    expect(dist.objects.map((o) => [o.file, o.env, o.app, o.doc.metadata.name])).toEqual([
      ['dist/cloud/mcp/mcp.k8s.yaml', 'cloud', 'mcp', 'e'],
      ['dist/homelab/penpot/extra/more.yml', 'homelab', 'penpot', 'c'],
      ['dist/homelab/penpot/penpot.k8s.yaml', 'homelab', 'penpot', 'a'],
      ['dist/homelab/penpot/penpot.k8s.yaml', 'homelab', 'penpot', 'b'],
      ['dist/homelab/root.yaml', 'homelab', undefined, 'd'],
    ]);
    expect([...dist.contracts.keys()]).toEqual(['homelab']);
    expect(dist.contracts.get('homelab')).toEqual(contract);
    expect([...dist.dirs].sort()).toEqual([
      'dist', 'dist/cloud', 'dist/cloud/mcp', 'dist/homelab', 'dist/homelab/penpot', 'dist/homelab/penpot/extra',
    ]);
    expect(dist.root).toBe(path.join(repo, 'dist'));
  });

  it('throws on a file that is not valid YAML, naming the file', () => {
    write(repo, 'dist/homelab/penpot/bad.yaml', 'a: [1\n');
    expect(() => loadDist(repo)).toThrow(/dist\/homelab\/penpot\/bad\.yaml/);
  });

  it('throws on a secrets.json that is not a contract', () => {
    write(repo, 'dist/homelab/secrets.json', '{"environment": "homelab"}');
    expect(() => loadDist(repo)).toThrow(/secrets\.json/);
  });
});

describe('loadObjectsFromYaml', () => {
  it('skips empty documents and keeps env and app', () => {
    const objects = loadObjectsFromYaml(`---\n${cm('a', 'x')}---\n# only a comment\n---\n`, 'dist/e/app/f.yaml', 'e', 'app');
    expect(objects).toEqual([{ file: 'dist/e/app/f.yaml', env: 'e', app: 'app', doc: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x' } } }]);
  });

  it('throws on duplicate keys', () => {
    expect(() => loadObjectsFromYaml('a: 1\na: 2\n', 'f.yaml', 'e')).toThrow(/f\.yaml/);
  });
});
