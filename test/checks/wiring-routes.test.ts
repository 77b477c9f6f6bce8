import { checkRouteBackends, checkSchemas } from '../../lib/checks';
import { closeStructuralSchema } from '../../lib/checks/crd-schemas';
import { edit, mo, penpotObjects } from './fixtures';

/** An edge Route to the fixture's penpot-frontend Service (port `http` -> container 8080). */
function route(spec: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'route.openshift.io/v1',
    kind: 'Route',
    metadata: { name: 'penpot', namespace: 'penpot' },
    spec: {
      host: 'penpot.apps.ocp.example.com',
      to: { kind: 'Service', name: 'penpot-frontend', weight: 100 },
      port: { targetPort: 'http' },
      tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' },
      wildcardPolicy: 'None',
      ...spec,
    },
  };
}
const withRoute = (doc: any) => [...penpotObjects(), mo(doc)];
const FRONTEND_PORT = penpotObjects().find((o) => o.doc.kind === 'Deployment' && o.doc.metadata.name === 'penpot-frontend')!
  .doc.spec.template.spec.containers[0].ports[0].containerPort;

describe('wiring/route-backend', () => {
  it('passes a Route to an existing Service by port name', () => {
    expect(checkRouteBackends(withRoute(route()))).toEqual([]);
  });

  it('passes a numeric targetPort that is the pods\' port behind the Service\'s named target port', () => {
    expect(checkRouteBackends(withRoute(route({ port: { targetPort: FRONTEND_PORT } })))).toEqual([]);
  });

  it('reports a Route to a Service that does not exist in its namespace', () => {
    expect(checkRouteBackends(withRoute(route({ to: { kind: 'Service', name: 'penpot-web' } })))).toEqual([expect.objectContaining({
      check: 'wiring/route-backend', object: 'Route penpot/penpot', field: 'spec.to.name',
    })]);
  });

  it('reports a port name the Service does not have', () => {
    expect(checkRouteBackends(withRoute(route({ port: { targetPort: 'https' } })))).toEqual([expect.objectContaining({
      field: 'spec.port.targetPort', message: expect.stringMatching(/'https' is not a port name of Service penpot\/penpot-frontend/),
    })]);
  });

  it('reports a numeric port no pod behind the Service declares', () => {
    expect(checkRouteBackends(withRoute(route({ port: { targetPort: 9999 } })))).toHaveLength(1);
  });

  it('reports a missing alternate backend', () => {
    expect(checkRouteBackends(withRoute(route({ alternateBackends: [{ kind: 'Service', name: 'penpot-canary', weight: 10 }] }))))
      .toEqual([expect.objectContaining({ field: 'spec.alternateBackends[0].name' })]);
  });

  it('reports a Route whose Service selects other pods only when the port is numeric and unmatched (names resolve on the Service)', () => {
    const objects = edit(withRoute(route({ port: { targetPort: FRONTEND_PORT } })), 'Service', 'penpot-frontend', (d) => {
      d.spec.selector['app.kubernetes.io/component'] = 'nothing';
    });
    expect(checkRouteBackends(objects)).toHaveLength(1);
  });
});

describe('Route schema (openshift/api route/v1, compact)', () => {
  const invalid = (doc: any) => checkSchemas([mo(doc)]).map((f) => `${f.check} ${f.message}`);

  it('accepts the edge Route the platform writes', () => {
    expect(invalid(route())).toEqual([]);
  });

  it.each([
    ['passthrough without certificates', route({ tls: { termination: 'passthrough' } })],
    ['reencrypt with a destination CA', route({ tls: { termination: 'reencrypt', destinationCACertificate: 'PEM' } })],
  ])('accepts %s (the cross-field rules are not over-strict)', (_what, doc) => {
    expect(invalid(doc)).toEqual([]);
  });

  it.each([
    ['an unknown field (pruned silently by the API server)', route({ tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect', terminaton: 'edge' } }), /unknown field "terminaton"/],
    ['a termination the router does not know', route({ tls: { termination: 'edge-only' } }), /must be equal to one of the allowed values/],
    ['a Route without spec.to', (() => { const r = route(); delete r.spec.to; return r; })(), /must have required property 'to'/],
    ['a path without leading slash', route({ path: 'mcp' }), /must match pattern/],
    ['a host with an underscore', route({ host: 'penpot_app.example.com' }), /must match pattern/],
    ['targetPort 0', route({ port: { targetPort: 0 } }), /targetPort/],
    ['a passthrough Route carrying a certificate', route({ tls: { termination: 'passthrough', certificate: 'PEM' } }), /schema\/invalid/],
    ['an edge Route with a destination CA (reencrypt only)', route({ tls: { termination: 'edge', destinationCACertificate: 'PEM' } }), /schema\/invalid/],
    ['a path on a passthrough Route', route({ path: '/mcp', tls: { termination: 'passthrough' } }), /schema\/invalid/],
  ])('rejects %s', (_what, doc, message) => {
    expect(invalid(doc).join('\n')).toMatch(message);
  });
});

describe('closeStructuralSchema', () => {
  it('closes objects with properties but leaves allOf/anyOf/oneOf/not branches open (value checks only)', () => {
    const closed = closeStructuralSchema({
      type: 'object',
      properties: { a: { type: 'string' } },
      anyOf: [{ properties: { a: { maxLength: 0 } } }],
    }) as any;
    expect(closed.additionalProperties).toBe(false);
    expect(closed.anyOf[0].additionalProperties).toBeUndefined();
  });
});
