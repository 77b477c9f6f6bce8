import { Construct } from 'constructs';
import { k8s } from './k8s';

/** How the value of a Secret key comes to exist. */
export type SecretValueSource =
  /** A strong random value; nobody needs to know it. */
  | { readonly kind: 'random'; readonly bytes: number }
  /** A value the operator chooses (a user name) or already has (an SMTP password). */
  | { readonly kind: 'operator'; readonly example: string }
  /** A file the operator has (a TLS certificate). */
  | { readonly kind: 'file'; readonly example: string };

export interface SecretKeySpec {
  readonly description: string;
  readonly source: SecretValueSource;
}

export interface ExternalSecretProps {
  /** Name of the Secret in the cluster. */
  readonly name: string;
  readonly namespace: string;
  /** Why the Secret exists, one line for the secrets contract. */
  readonly purpose: string;
  /** The keys the manifests read. */
  readonly keys: Readonly<Record<string, SecretKeySpec>>;
  /** Secret type. @default 'Opaque' */
  readonly type?: 'Opaque' | 'kubernetes.io/tls';
}

/**
 * A Secret that the manifests use but that is created outside git (by the operator or a
 * script). It synthesizes nothing: it is the single declaration from which env references
 * are built and from which the secrets contract is generated, so the two cannot drift.
 */
export class ExternalSecret extends Construct {
  readonly secretName: string;
  readonly namespace: string;
  readonly purpose: string;
  readonly type: 'Opaque' | 'kubernetes.io/tls';
  readonly keys: Readonly<Record<string, SecretKeySpec>>;

  constructor(scope: Construct, id: string, props: ExternalSecretProps) {
    super(scope, id);
    this.secretName = props.name;
    this.namespace = props.namespace;
    this.purpose = props.purpose;
    this.type = props.type ?? 'Opaque';
    this.keys = props.keys;
  }

  /** An env var read from one key; an undeclared key is a programming error caught at synth. */
  envVar(envName: string, key: string): k8s.EnvVar {
    if (!(key in this.keys)) {
      throw new Error(`Secret ${this.secretName} declares no key "${key}" (declared: ${Object.keys(this.keys).join(', ')})`);
    }
    return { name: envName, valueFrom: { secretKeyRef: { name: this.secretName, key } } };
  }

  /** Every ExternalSecret declared below a scope, in tree order. */
  static findAll(scope: Construct): ExternalSecret[] {
    return scope.node.findAll().filter((c): c is ExternalSecret => c instanceof ExternalSecret);
  }
}

/**
 * The TLS Secret of the ingress hosts of one namespace. Secrets are namespaced, so every
 * namespace with a TLS Ingress needs its own copy, and the contract lists each.
 */
export function declareTlsSecret(scope: Construct, namespace: string, secretName: string, hosts: readonly string[]): ExternalSecret {
  return new ExternalSecret(scope, 'tls', {
    name: secretName, namespace, type: 'kubernetes.io/tls',
    purpose: `TLS certificate for ${hosts.join(', ')} (the ingress terminates TLS with it)`,
    keys: {
      'tls.crt': { description: 'Certificate chain (PEM) covering the hosts', source: { kind: 'file', example: 'tls.crt' } },
      'tls.key': { description: 'Private key (PEM)', source: { kind: 'file', example: 'tls.key' } },
    },
  });
}
