/**
 * The schema of Traefik's `traefik.io/v1alpha1` Middleware, for the ajv-based CRD models
 * (crd-schemas.ts closes every object that lists properties, like API-server pruning). Vendored
 * only as far as the platform needs it, from traefik/traefik
 * docs/content/reference/dynamic-configuration/traefik.io_middlewares.yaml at tag v3.7.9 (commit
 * d0bd2ec198533d760c1abfc74b98033d6d92d039), descriptions dropped: `ipAllowList` and `buffering`
 * in full (identical since v3.6.0); every other middleware type by name only, left open (the
 * platform writes none of them, and a misspelt type name is still caught by the closed `spec`).
 */
import type { CrdVersionSchema } from './crd-schemas';

/** Middleware types this project does not write: known by name, their contents not checked here. */
const OTHER_TYPES = ['addPrefix', 'basicAuth', 'chain', 'circuitBreaker', 'compress', 'contentType', 'digestAuth', 'encodedCharacters', 'errors', 'forwardAuth', 'grpcWeb', 'headers', 'inFlightReq', 'ipWhiteList', 'passTLSClientCert', 'plugin', 'rateLimit', 'redirectRegex', 'redirectScheme', 'replacePath', 'replacePathRegex', 'retry', 'stripPrefix', 'stripPrefixRegex'];
const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

export const TRAEFIK_MIDDLEWARE_SCHEMA: CrdVersionSchema = {
  apiVersion: 'traefik.io/v1alpha1',
  kind: 'Middleware',
  schema: {
    type: 'object',
    required: ['metadata', 'spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        properties: {
          ...Object.fromEntries(OTHER_TYPES.map((t) => [t, open])),
          buffering: {
            properties: {
              maxRequestBodyBytes: {
                format: 'int64',
                type: 'integer'
              },
              maxResponseBodyBytes: {
                format: 'int64',
                type: 'integer'
              },
              memRequestBodyBytes: {
                format: 'int64',
                type: 'integer'
              },
              memResponseBodyBytes: {
                format: 'int64',
                type: 'integer'
              },
              retryExpression: {
                type: 'string'
              }
            },
            type: 'object'
          },
          ipAllowList: {
            properties: {
              ipStrategy: {
                properties: {
                  depth: {
                    minimum: 0,
                    type: 'integer'
                  },
                  excludedIPs: {
                    items: {
                      type: 'string'
                    },
                    type: 'array'
                  },
                  ipv6Subnet: {
                    type: 'integer'
                  }
                },
                type: 'object'
              },
              rejectStatusCode: {
                type: 'integer'
              },
              sourceRange: {
                items: {
                  type: 'string'
                },
                type: 'array'
              }
            },
            type: 'object'
          },
        },
      },
    },
  },
};
