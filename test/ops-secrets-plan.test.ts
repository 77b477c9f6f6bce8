import { resolveEnvironments } from '../lib/config/resolve';
import { EnvironmentInput } from '../lib/config/types';
import { buildOpsEnvironment, OpsEnvironment } from '../lib/ops/environment';
import { formatCall } from '../lib/ops/kubectl';
import { ObservedSecrets, operatorVariable, planSecrets, SecretsPlan, secretsNeedingLiveData, SecretsPlanOptions, ValueSources } from '../lib/ops/secrets-plan';
import { minimalEnv } from './support/environments';

function model(input: EnvironmentInput = minimalEnv()): OpsEnvironment {
  return buildOpsEnvironment(resolveEnvironments([input])[0]);
}

const withMail = minimalEnv({
  ingress: { tlsSecretName: 'penpot-tls' },
  penpot: { smtp: { host: 'smtp.test.internal', defaultFrom: 'penpot@test.internal' } },
});

/** Random values are counted so a test can look for every one the plan generated. */
function recordingSources(files: Record<string, string> = {}): ValueSources & { generated: string[] } {
  const generated: string[] = [];
  return {
    generated,
    randomHex(bytes) {
      const value = `${String(generated.length).padStart(4, '0')}${'ab'.repeat(bytes - 2)}`;
      generated.push(value);
      return value;
    },
    readFile(file) {
      if (!(file in files)) throw new Error(`ENOENT: no such file or directory, open '${file}'`);
      return Buffer.from(files[file], 'utf8');
    },
  };
}

function observed(secrets: Record<string, string[]> = {}, namespaces: string[] = Object.keys(secrets).map((s) => s.split('/')[0]),
  liveData: Record<string, Record<string, string>> = {}): ObservedSecrets {
  return { namespaces: new Set(namespaces), secrets: new Map(Object.entries(secrets)), liveData: new Map(Object.entries(liveData)) };
}

const options = (o: Partial<SecretsPlanOptions> = {}): SecretsPlanOptions => ({ rotate: [], variables: { PENPOT_POSTGRES__POSTGRES_USER: 'penpot' }, ...o });

/** The Secret manifest a call pipes to kubectl, decoded. */
function manifestOf(plan: SecretsPlan, name: string): { verb: string; data: Record<string, string>; manifest: any } {
  const c = plan.calls.find((x) => x.stdin && JSON.parse(x.stdin).kind === 'Secret' && JSON.parse(x.stdin).metadata.name === name);
  if (!c) throw new Error(`no call for Secret ${name}: ${plan.calls.map(formatCall).join('; ')}`);
  const manifest = JSON.parse(c.stdin!);
  const data = Object.fromEntries(Object.entries(manifest.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  return { verb: c.args[2], data, manifest };
}

/** Everything the script prints for a plan, dry run included. */
function printed(plan: SecretsPlan): string[] {
  return [...plan.lines, ...plan.warnings, ...plan.errors, ...plan.hints, ...plan.calls.map(formatCall)];
}

describe('secrets plan: create, keep, rotate', () => {
  test('creates each missing Secret with a random value of the declared length, namespace first', () => {
    const sources = recordingSources();
    const plan = planSecrets(model(), observed({}, []), options(), sources);
    expect(plan.errors).toEqual([]);
    expect(plan.calls.map((c) => c.args.join(' '))).toEqual([
      '--context default apply --server-side --field-manager=penpot-mcp-platform -f -',
      '--context default create -f -',
      '--context default create -f -',
    ]);
    expect(JSON.parse(plan.calls[0].stdin!)).toMatchObject({ kind: 'Namespace', metadata: { name: 'penpot' } });
    expect(manifestOf(plan, 'penpot-secret-key').data.PENPOT_SECRET_KEY).toMatch(/^[0-9a-f]{128}$/);
    expect(manifestOf(plan, 'penpot-postgres').data.POSTGRES_PASSWORD).toMatch(/^[0-9a-f]{64}$/);
    expect(manifestOf(plan, 'penpot-postgres').manifest).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { namespace: 'penpot' } });
  });

  test('the Namespace it creates is the synthesized one, Pod Security labels included', () => {
    const plan = planSecrets(model(), observed({}, []), options(), recordingSources());
    const ns = JSON.parse(plan.calls[0].stdin!);
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBeDefined();
  });

  test('an existing Namespace is not applied again', () => {
    const plan = planSecrets(model(), observed({}, ['penpot']), options(), recordingSources());
    expect(plan.calls.map((c) => c.args[2])).toEqual(['create', 'create']);
  });

  test('keeps existing Secrets untouched: no call, one keep line each', () => {
    const plan = planSecrets(model(), observed({ 'penpot/penpot-secret-key': ['PENPOT_SECRET_KEY'], 'penpot/penpot-postgres': ['POSTGRES_PASSWORD', 'POSTGRES_USER'] }),
      options(), recordingSources());
    expect(plan.calls).toEqual([]);
    expect(plan.decisions.map((d) => d.action)).toEqual(['keep', 'keep']);
    expect(plan.lines.filter((l) => /^\s+keep\s/.test(l))).toHaveLength(2);
  });

  test('creates only the missing one when some exist', () => {
    const plan = planSecrets(model(), observed({ 'penpot/penpot-secret-key': ['PENPOT_SECRET_KEY'] }), options(), recordingSources());
    expect(plan.decisions.map((d) => `${d.action} ${d.secret.name}`)).toEqual(['keep penpot-secret-key', 'create penpot-postgres']);
    expect(plan.calls).toHaveLength(1);
  });

  test('warns when an existing Secret lacks a key the manifests read, and still leaves it alone', () => {
    const plan = planSecrets(model(), observed({ 'penpot/penpot-secret-key': ['PENPOT_SECRET_KEY'], 'penpot/penpot-postgres': ['POSTGRES_PASSWORD'] }),
      options(), recordingSources());
    expect(plan.calls).toEqual([]);
    expect(plan.warnings).toEqual([expect.stringMatching(/penpot\/penpot-postgres exists but lacks POSTGRES_USER.*--rotate penpot-postgres/)]);
  });

  test('--rotate replaces an existing Secret with new random values and prints the restart', () => {
    const sources = recordingSources();
    const plan = planSecrets(model(), observed({ 'penpot/penpot-secret-key': ['PENPOT_SECRET_KEY'], 'penpot/penpot-postgres': ['POSTGRES_PASSWORD', 'POSTGRES_USER'] }),
      options({ rotate: ['penpot-secret-key'] }), sources);
    expect(plan.calls.map((c) => c.args.join(' '))).toEqual(['--context default replace -f -']);
    expect(manifestOf(plan, 'penpot-secret-key').data.PENPOT_SECRET_KEY).toBe(sources.generated[0]);
    expect(plan.hints).toEqual(['Pods read penpot/penpot-secret-key only when they start: '
      + 'kubectl --context default -n penpot rollout restart deployment/penpot-backend deployment/penpot-exporter']);
  });

  test('--rotate of a database login warns that the database keeps the old password', () => {
    const plan = planSecrets(model(), observed({ 'penpot/penpot-postgres': ['POSTGRES_PASSWORD', 'POSTGRES_USER'] }),
      options({ rotate: ['penpot/penpot-postgres'] }), recordingSources());
    expect(plan.hints.join('\n')).toMatch(/StatefulSet\/penpot-postgres reads penpot\/penpot-postgres: .*ALTER ROLE/);
  });

  test('--rotate carries an operator value over from the live Secret when its variable is unset', () => {
    const live = { 'penpot/penpot-postgres': { POSTGRES_USER: Buffer.from('designers').toString('base64'), POSTGRES_PASSWORD: 'b2xk' } };
    const existing = { 'penpot/penpot-postgres': ['POSTGRES_PASSWORD', 'POSTGRES_USER'] };
    const plan = planSecrets(model(), observed(existing, ['penpot'], live), options({ rotate: ['penpot-postgres'], variables: {} }), recordingSources());
    expect(plan.errors).toEqual([]);
    expect(manifestOf(plan, 'penpot-postgres').data).toEqual({ POSTGRES_USER: 'designers', POSTGRES_PASSWORD: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(manifestOf(plan, 'penpot-postgres').verb).toBe('replace');
  });

  test('--rotate takes an operator value from its variable when set', () => {
    const live = { 'penpot/penpot-postgres': { POSTGRES_USER: Buffer.from('designers').toString('base64') } };
    const plan = planSecrets(model(), observed({ 'penpot/penpot-postgres': ['POSTGRES_PASSWORD', 'POSTGRES_USER'] }, ['penpot'], live),
      options({ rotate: ['penpot-postgres'], variables: { PENPOT_POSTGRES__POSTGRES_USER: 'penpot2' } }), recordingSources());
    expect(manifestOf(plan, 'penpot-postgres').data.POSTGRES_USER).toBe('penpot2');
  });

  test('only rotated Secrets with operator keys need their live data read', () => {
    const existing = new Map([['penpot/penpot-secret-key', ['PENPOT_SECRET_KEY']], ['penpot/penpot-postgres', ['POSTGRES_USER', 'POSTGRES_PASSWORD']]]);
    expect(secretsNeedingLiveData(model(), existing, ['penpot-secret-key'])).toEqual([]);
    expect(secretsNeedingLiveData(model(), existing, ['penpot-postgres', 'penpot-secret-key']).map((s) => s.name)).toEqual(['penpot-postgres']);
  });

  test('--rotate of a Secret that does not exist creates it', () => {
    const plan = planSecrets(model(), observed({}, ['penpot']), options({ rotate: ['penpot-secret-key'] }), recordingSources());
    expect(plan.decisions.find((d) => d.secret.name === 'penpot-secret-key')!.action).toBe('create');
  });

  test('--rotate of a name outside the contract fails and lists the Secrets', () => {
    const plan = planSecrets(model(), observed({}, ['penpot']), options({ rotate: ['penpot-redis'] }), recordingSources());
    expect(plan.errors).toEqual(['--rotate penpot-redis: no such Secret in the contract of test; allowed: penpot/penpot-secret-key, penpot/penpot-postgres']);
    expect(plan.calls).toEqual([]);
  });
});

describe('secrets plan: operator values', () => {
  test('the variable is <SECRET>__<KEY> in upper case with _ for other characters, _FILE for files', () => {
    expect(operatorVariable('penpot-postgres', 'POSTGRES_USER', 'operator')).toBe('PENPOT_POSTGRES__POSTGRES_USER');
    expect(operatorVariable('penpot-smtp', 'PENPOT_SMTP_PASSWORD', 'operator')).toBe('PENPOT_SMTP__PENPOT_SMTP_PASSWORD');
    expect(operatorVariable('penpot-tls', 'tls.crt', 'file')).toBe('PENPOT_TLS__TLS_CRT_FILE');
  });

  test('operator keys take the value of their variable', () => {
    const variables = { PENPOT_POSTGRES__POSTGRES_USER: 'penpot', PENPOT_SMTP__PENPOT_SMTP_USERNAME: 'mailer', PENPOT_SMTP__PENPOT_SMTP_PASSWORD: 's3cr3t-smtp',
      PENPOT_TLS__TLS_CRT_FILE: '/certs/tls.crt', PENPOT_TLS__TLS_KEY_FILE: '/certs/tls.key' };
    const plan = planSecrets(model(withMail), observed({}, []), options({ variables }),
      recordingSources({ '/certs/tls.crt': 'CERT PEM', '/certs/tls.key': 'KEY PEM' }));
    expect(plan.errors).toEqual([]);
    expect(manifestOf(plan, 'penpot-smtp').data).toEqual({ PENPOT_SMTP_USERNAME: 'mailer', PENPOT_SMTP_PASSWORD: 's3cr3t-smtp' });
    expect(manifestOf(plan, 'penpot-postgres').data.POSTGRES_USER).toBe('penpot');
  });

  test('file keys read the file named by their variable; the TLS Secret keeps its type', () => {
    const variables = { PENPOT_POSTGRES__POSTGRES_USER: 'penpot', PENPOT_SMTP__PENPOT_SMTP_USERNAME: 'mailer', PENPOT_SMTP__PENPOT_SMTP_PASSWORD: 'pw',
      PENPOT_TLS__TLS_CRT_FILE: '/certs/tls.crt', PENPOT_TLS__TLS_KEY_FILE: '/certs/tls.key' };
    const plan = planSecrets(model(withMail), observed({}, []), options({ variables }), recordingSources({ '/certs/tls.crt': 'CERT PEM', '/certs/tls.key': 'KEY PEM' }));
    const tls = manifestOf(plan, 'penpot-tls');
    expect(tls.manifest.type).toBe('kubernetes.io/tls');
    expect(tls.data).toEqual({ 'tls.crt': 'CERT PEM', 'tls.key': 'KEY PEM' });
  });

  test('a missing operator value fails naming the Secret, the key and the variable, and nothing is created', () => {
    const plan = planSecrets(model(withMail), observed({}, []), options({ variables: { PENPOT_POSTGRES__POSTGRES_USER: 'penpot' } }),
      recordingSources({ '/certs/tls.crt': 'x' }));
    expect(plan.errors).toEqual(expect.arrayContaining([
      'Secret penpot/penpot-smtp key PENPOT_SMTP_PASSWORD (SMTP password): set PENPOT_SMTP__PENPOT_SMTP_PASSWORD to the value (e.g. smtp-password)',
      'Secret penpot/penpot-tls key tls.crt (Certificate chain (PEM) covering the hosts): set PENPOT_TLS__TLS_CRT_FILE to the path of the file (tls.crt)',
    ]));
    expect(plan.calls).toEqual([]);
  });

  test('an empty variable counts as missing', () => {
    const plan = planSecrets(model(), observed({}, []), options({ variables: { PENPOT_POSTGRES__POSTGRES_USER: '' } }), recordingSources());
    expect(plan.errors).toEqual([expect.stringMatching(/PENPOT_POSTGRES__POSTGRES_USER .*; it is empty$/)]);
    expect(plan.calls).toEqual([]);
  });

  test('an unreadable file fails naming the path and the variable', () => {
    const variables = { PENPOT_POSTGRES__POSTGRES_USER: 'penpot', PENPOT_TLS__TLS_CRT_FILE: '/nope/tls.crt', PENPOT_TLS__TLS_KEY_FILE: '/nope/tls.key' };
    const plan = planSecrets(model(minimalEnv({ ingress: { tlsSecretName: 'penpot-tls' } })), observed({}, []), options({ variables }), recordingSources());
    expect(plan.errors[0]).toMatch(/^Secret penpot\/penpot-tls key tls.crt: cannot read \/nope\/tls.crt \(from PENPOT_TLS__TLS_CRT_FILE\): ENOENT/);
  });

  test('an optional Secret without its values is skipped, not an error', () => {
    const base = model(withMail);
    const optionalSmtp: OpsEnvironment = { ...base, secrets: base.secrets.map((s) => (s.name === 'penpot-smtp' ? { ...s, optional: true } : s)) };
    const variables = { PENPOT_POSTGRES__POSTGRES_USER: 'penpot', PENPOT_TLS__TLS_CRT_FILE: '/c', PENPOT_TLS__TLS_KEY_FILE: '/k' };
    const plan = planSecrets(optionalSmtp, observed({}, []), options({ variables }), recordingSources({ '/c': 'c', '/k': 'k' }));
    expect(plan.errors).toEqual([]);
    expect(plan.decisions.find((d) => d.secret.name === 'penpot-smtp')!.action).toBe('skip');
  });
});

describe('secrets plan: values are never printed', () => {
  test('no generated or supplied value appears in any printed line, plan and commands included', () => {
    const sources = recordingSources({ '/certs/tls.crt': 'CERT-PEM-CONTENT', '/certs/tls.key': 'KEY-PEM-CONTENT' });
    const variables = { PENPOT_POSTGRES__POSTGRES_USER: 'pg-operator-user', PENPOT_SMTP__PENPOT_SMTP_USERNAME: 'smtp-operator-user',
      PENPOT_SMTP__PENPOT_SMTP_PASSWORD: 'smtp-operator-password', PENPOT_TLS__TLS_CRT_FILE: '/certs/tls.crt', PENPOT_TLS__TLS_KEY_FILE: '/certs/tls.key' };
    const plan = planSecrets(model(withMail), observed({}, []), options({ variables }), sources);
    const values = [...sources.generated, 'pg-operator-user', 'smtp-operator-user', 'smtp-operator-password', 'CERT-PEM-CONTENT', 'KEY-PEM-CONTENT'];
    // The values did go into the manifests on stdin (else the check below would be vacuous)...
    const stdin = plan.calls.map((c) => c.stdin ?? '').join('\n');
    expect(sources.generated).toHaveLength(2);
    for (const v of values) expect(stdin).toContain(Buffer.from(v).toString('base64'));
    // ...and into no printed line, neither plain nor base64.
    const lines = printed(plan);
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      for (const v of values) {
        expect(line).not.toContain(v);
        expect(line).not.toContain(Buffer.from(v).toString('base64'));
      }
    }
  });

  test('the commands carry values only on stdin, never as arguments', () => {
    const sources = recordingSources();
    const plan = planSecrets(model(), observed({}, []), options(), sources);
    const args = plan.calls.flatMap((c) => c.args).join(' ');
    for (const v of sources.generated) expect(args).not.toContain(v);
    expect(plan.calls.every((c) => c.args.includes('-') && c.stdin !== undefined)).toBe(true);
  });
});
