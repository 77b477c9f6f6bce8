/**
 * A compact structural schema of OpenShift's `route.openshift.io/v1` Route, for the ajv-based CRD
 * models (crd-schemas.ts closes every object that lists properties, like API-server pruning).
 * There is no kubernetes-models package for OpenShift kinds, so this is transcribed from
 * openshift/api, route/v1/zz_generated.crd-manifests/routes-Default.crd.yaml at commit
 * 96acf9b2a0f5752b973b354ff890336ed3471255 (the CRD of the Default feature set): every field of
 * `spec` with its type, enums, patterns and bounds, and the cross-field rules written as JSON
 * Schema there. Left open: `spec.httpHeaders` (header actions; the platform sets none) and
 * `status` (written by the router). CEL rules (x-kubernetes-validations) are not evaluated.
 */
import type { CrdVersionSchema } from './crd-schemas';

/** DNS-952 subdomain, as the CRD's `host` and `subdomain` patterns spell it. */
const HOST_PATTERN = '^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9])(\\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9]))*$';

const targetReference = {
  type: 'object',
  required: ['kind', 'name'],
  properties: {
    kind: { type: 'string', enum: ['Service', ''] },
    name: { type: 'string', minLength: 1 },
    weight: { type: 'integer', minimum: 0, maximum: 256 },
  },
};

export const ROUTE_SCHEMA: CrdVersionSchema = {
  apiVersion: 'route.openshift.io/v1',
  kind: 'Route',
  schema: {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        required: ['to'],
        // Upstream: a path is not allowed with passthrough TLS; a wildcard policy needs a host.
        allOf: [
          {
            anyOf: [
              { properties: { path: { maxLength: 0 } } },
              { properties: { tls: { enum: [null] } } },
              { not: { properties: { tls: { properties: { termination: { enum: ['passthrough'] } } } } } },
            ],
          },
          {
            anyOf: [
              { not: { properties: { host: { maxLength: 0 } } } },
              { not: { properties: { wildcardPolicy: { enum: ['Subdomain'] } } } },
            ],
          },
        ],
        properties: {
          alternateBackends: { type: 'array', maxItems: 3, items: targetReference },
          host: { type: 'string', maxLength: 253, pattern: HOST_PATTERN },
          httpHeaders: { type: 'object' },
          path: { type: 'string', pattern: '^/' },
          port: {
            type: 'object',
            required: ['targetPort'],
            properties: {
              // int-or-string, neither 0 nor "" (upstream: allOf not-enum [0] / [""]).
              targetPort: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', minLength: 1 }] },
            },
          },
          subdomain: { type: 'string', maxLength: 253, pattern: HOST_PATTERN },
          tls: {
            type: 'object',
            required: ['termination'],
            // Upstream: passthrough carries no certificates; edge carries no destination CA.
            allOf: [
              {
                anyOf: [
                  {
                    properties: {
                      caCertificate: { maxLength: 0 }, certificate: { maxLength: 0 },
                      destinationCACertificate: { maxLength: 0 }, key: { maxLength: 0 },
                    },
                  },
                  { not: { properties: { termination: { enum: ['passthrough'] } } } },
                ],
              },
              {
                anyOf: [
                  { properties: { destinationCACertificate: { maxLength: 0 } } },
                  { not: { properties: { termination: { enum: ['edge'] } } } },
                ],
              },
            ],
            properties: {
              caCertificate: { type: 'string' },
              certificate: { type: 'string' },
              destinationCACertificate: { type: 'string' },
              insecureEdgeTerminationPolicy: { type: 'string', enum: ['Allow', 'None', 'Redirect', ''] },
              key: { type: 'string' },
              termination: { type: 'string', enum: ['edge', 'reencrypt', 'passthrough'] },
            },
          },
          to: targetReference,
          wildcardPolicy: { type: 'string', enum: ['None', 'Subdomain', ''] },
        },
      },
      status: { type: 'object' },
    },
  },
};
