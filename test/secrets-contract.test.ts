import * as fs from 'node:fs';
import * as path from 'node:path';
import { minimalEnv } from './support/environments';
import { objectsOf } from './support/objects';
import { synthesizeEnvironment } from '../lib/synth';
import { resolveEnvironments } from '../lib/config/resolve';

function contractOf(input = minimalEnv()) {
  const [env] = resolveEnvironments([input]);
  const file = synthesizeEnvironment(env).find((f) => f.path.endsWith('secrets.json'))!;
  return JSON.parse(file.content);
}

describe('secrets contract', () => {
  test('lists each Secret with its keys and the workloads that read it', () => {
    const secrets = contractOf().secrets;
    const pg = secrets.find((s: any) => s.name === 'penpot-postgres');
    expect(pg.keys.map((k: any) => k.key)).toEqual(['POSTGRES_USER', 'POSTGRES_PASSWORD']);
    // The backup CronJob and the hand-applied restore Job (dist/<env>/operations/) read it too.
    expect(pg.readBy).toEqual(['CronJob/penpot-backup', 'Deployment/penpot-backend', 'Job/penpot-restore', 'StatefulSet/penpot-postgres']);
    expect(secrets.find((s: any) => s.name === 'penpot-secret-key').readBy).toEqual(['Deployment/penpot-backend', 'Deployment/penpot-exporter']);
  });

  test('gives a kubectl command with placeholders or generators for every key', () => {
    for (const s of contractOf().secrets) {
      expect(s.createCommand).toMatch(new RegExp(`^kubectl -n ${s.namespace} create secret \\w+ ${s.name}`));
      for (const k of s.keys) expect(s.createCommand).toContain(`${k.key}=`);
    }
  });

  test('optional Secrets appear only when their feature is configured', () => {
    expect(contractOf().secrets.map((s: any) => s.name)).toEqual(['penpot-secret-key', 'penpot-postgres']);
    const full = contractOf(minimalEnv({
      ingress: { tlsSecretName: 'penpot-tls' },
      penpot: { smtp: { host: 'smtp.test.internal', defaultFrom: 'a@test.internal' }, oidc: { baseUri: 'https://sso.test.internal' } },
    }));
    expect(full.secrets.map((s: any) => s.name)).toEqual(['penpot-secret-key', 'penpot-postgres', 'penpot-smtp', 'penpot-oidc', 'penpot-tls']);
    expect(full.secrets.find((s: any) => s.name === 'penpot-tls').createCommand).toMatch(/create secret tls penpot-tls --cert=/);
  });

  test('every Secret referenced by a synthesized object is in the contract', () => {
    const input = minimalEnv({ ingress: { tlsSecretName: 'penpot-tls' }, penpot: { smtp: { host: 'smtp.test.internal', defaultFrom: 'a@test.internal' } } });
    const names = new Set(contractOf(input).secrets.map((s: any) => s.name));
    const text = JSON.stringify(objectsOf(input));
    const referenced = [...text.matchAll(/"(?:secretKeyRef|secretRef)":\{"key":"[^"]*","name":"([^"]+)"|"secretName":"([^"]+)"/g)].map((m) => m[1] ?? m[2]);
    expect(referenced.length).toBeGreaterThan(0);
    for (const name of referenced) expect(names).toContain(name);
  });

  test('the committed contracts hold no generated secret value', () => {
    for (const env of ['homelab', 'example']) {
      const text = fs.readFileSync(path.join(__dirname, '..', 'dist', env, 'secrets.json'), 'utf8');
      expect(text).not.toMatch(/[A-Za-z0-9+/]{40,}/);
    }
  });
});
