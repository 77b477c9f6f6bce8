import { Construct } from 'constructs';
import { EnvironmentConfig, McpExposure } from './config/types';
import { k8s } from './k8s';
import { WorkloadIdentity, selectorLabels, standardLabels } from './labels';
import { RouteKind, RoutedHost } from './routing/routed-host';
import { Routing, routingOf } from './routing/routing';
import { ServicePortSpec } from './workload';

/** How a client authenticates to an MCP endpoint, for the generated connection info. */
export interface McpClientAuth {
  /** Query parameter carrying a per-user key, e.g. Penpot's `userToken`. */
  readonly queryParameter: string;
  /** Placeholder written in place of the key. */
  readonly placeholder: string;
  /** One sentence: where a user gets the key. */
  readonly howToGetIt: string;
}

/**
 * A bearer token in the `Authorization` header (the Kubernetes MCP server with `require_oauth`).
 * Client configs read it from an environment variable; no token value is ever written to a file.
 */
export interface McpBearerAuth {
  /**
   * `kubernetes-token`: any Kubernetes token, judged by the API server; `oidc`: a JWT of the issuer;
   * `static-token`: one shared token, the key `secret.key` of Secret `secret.name` beside the server.
   */
  readonly mode: 'kubernetes-token' | 'oidc' | 'static-token';
  /** Where a `static-token` server's token lives (required for that mode, unused otherwise). @default undefined */
  readonly secret?: McpBearerSecret;
  /** Environment variable the client configs read the token from, e.g. `K8S_MCP_TOKEN`. */
  readonly envVar: string;
  /** One sentence: how a person gets a token. */
  readonly howToGetIt: string;
  /** One sentence: where in-cluster agents (kagent) take theirs from. @default undefined */
  readonly agents?: string;
}

/** The Secret key holding a static bearer token (in the server's namespace). */
export interface McpBearerSecret {
  readonly name: string;
  readonly key: string;
}

export interface McpServerExposureProps {
  /** Key of the server in client configs, e.g. `kubernetes`. */
  readonly name: string;
  /** One line for the docs. */
  readonly title: string;
  readonly namespace: string;
  /** Name of the Service the gateway creates for the server. */
  readonly serviceName: string;
  /** Pods of the server. */
  readonly identity: WorkloadIdentity;
  /** Every port of the Service (never a debug port). */
  readonly ports: readonly ServicePortSpec[];
  /** Name of the port (in `ports`) that serves MCP over streamable HTTP. */
  readonly mcpPortName: string;
  /** Path of the streamable HTTP endpoint on that port. @default '/mcp' */
  readonly path?: string;
  readonly exposure: McpExposure;
  /** Dedicated host routed by the ingress to `path` on the MCP port. @default undefined */
  readonly ingressHost?: string;
  /** A URL that reaches the server through another component (Penpot's frontend proxies `/mcp/stream`). */
  readonly sameOriginUrl?: string;
  readonly auth?: McpClientAuth;
  /** A bearer token the server requires. @default undefined */
  readonly bearer?: McpBearerAuth;
  /** As whom the server acts against the Kubernetes API, one phrase for CONNECT.md. @default undefined: no API access */
  readonly apiIdentity?: string;
  /** Why this endpoint takes no credential although pods of other namespaces may call it. @default undefined */
  readonly unauthenticatedReason?: string;
  /** Paths routed on `ingressHost` besides `path` (OAuth metadata under `/.well-known/`). @default [] */
  readonly extraIngressPaths?: readonly string[];
  /** A risk every reader of the connection docs must see first (e.g. write access to the cluster). @default undefined */
  readonly risk?: string;
}

/** Everything a client needs to reach one MCP server; read by the connection-info generator. */
export interface McpEndpoint {
  readonly name: string;
  readonly title: string;
  readonly namespace: string;
  readonly serviceName: string;
  readonly servicePort: number;
  /** Selector labels of the server's pods (what the Service selects), for NetworkPolicy flows. */
  readonly pods: Readonly<Record<string, string>>;
  /** The container port the Service's MCP port targets (a name, or a number for controller-made Services). */
  readonly targetPort: string | number;
  readonly path: string;
  readonly exposure: McpExposure;
  /** The NodePort Service carrying only the MCP port, when exposed that way. */
  readonly nodePortServiceName?: string;
  readonly ingressUrl?: string;
  /** What serves `ingressUrl`: an Ingress, a Gateway API HTTPRoute, or an OpenShift Route (TLS at the router). */
  readonly ingressKind?: RouteKind;
  readonly sameOriginUrl?: string;
  readonly auth?: McpClientAuth;
  readonly bearer?: McpBearerAuth;
  readonly apiIdentity?: string;
  readonly unauthenticatedReason?: string;
  readonly risk?: string;
  /** The controller that creates the Service (not in dist/), e.g. `kmcp` for an MCPServer. @default undefined: ours */
  readonly managedBy?: string;
}

/** A server whose Service a controller creates from a custom resource: reachable in the cluster only. */
export interface ManagedMcpServerProps {
  readonly name: string;
  /** Labels the controller puts on the server's pods. */
  readonly pods: Readonly<Record<string, string>>;
  readonly title: string;
  readonly namespace: string;
  readonly serviceName: string;
  readonly servicePort: number;
  readonly path: string;
  readonly managedBy: string;
  /** Why it takes no credential although pods of other namespaces may call it. @default undefined */
  readonly unauthenticatedReason?: string;
}

export interface McpGatewayProps {
  /** How dedicated MCP hosts are routed (controller, TLS, allowlist). */
  readonly routing: Routing;
}

/**
 * Owns how MCP servers are reached: the ClusterIP Service of each server, a NodePort Service with
 * only the MCP port when configured, a dedicated ingress host when configured, and the endpoint
 * record the connection docs are generated from. Servers register with {@link expose}; an
 * environment may hold several gateways (one per namespace) and the docs gather them all.
 */
export class McpGateway extends Construct {
  private readonly endpointList: McpEndpoint[] = [];

  constructor(scope: Construct, id: string, private readonly props: McpGatewayProps) {
    super(scope, id);
  }

  get endpoints(): readonly McpEndpoint[] {
    return this.endpointList;
  }

  expose(server: McpServerExposureProps): McpEndpoint {
    const mcpPort = server.ports.find((p) => p.name === server.mcpPortName);
    if (!mcpPort) throw new Error(`McpGateway: ${server.serviceName} has no port named ${server.mcpPortName}`);
    const path = server.path ?? '/mcp';
    if ((server.bearer?.mode === 'static-token') !== (server.bearer?.secret !== undefined)) {
      throw new Error(`McpGateway: ${server.serviceName}: bearer.secret is required with mode static-token and only with it`);
    }
    const scope = new Construct(this, server.name);
    const service = (id: string, name: string, type: string, ports: readonly ServicePortSpec[], nodePort?: number) =>
      new k8s.KubeService(scope, id, {
        metadata: { name, namespace: server.namespace, labels: standardLabels(server.identity) },
        spec: {
          type,
          // Keep the client's address (no SNAT to a node): NetworkPolicies admit clients by CIDR.
          ...(type === 'NodePort' ? { externalTrafficPolicy: 'Local' } : {}),
          selector: selectorLabels(server.identity),
          ports: ports.map((p) => ({
            name: p.name,
            port: p.port,
            targetPort: k8s.IntOrString.fromString(p.targetPort ?? p.name),
            protocol: 'TCP',
            ...(nodePort !== undefined ? { nodePort } : {}),
          })),
        },
      });
    service('service', server.serviceName, 'ClusterIP', server.ports);
    let nodePortServiceName: string | undefined;
    if (server.exposure.type === 'NodePort') {
      // A NodePort Service opens a node port for each of its ports: a separate Service carries
      // only the MCP port, so nothing else of the server is reachable on the nodes.
      nodePortServiceName = `${server.serviceName}-nodeport`;
      service('nodeport', nodePortServiceName, 'NodePort', [mcpPort], server.exposure.nodePort);
    }
    let ingressUrl: string | undefined;
    let ingressKind: McpEndpoint['ingressKind'];
    if (server.ingressHost) {
      const routed = new RoutedHost(scope, 'ingress', {
        name: server.serviceName,
        namespace: server.namespace,
        host: server.ingressHost,
        path,
        backend: { serviceName: server.serviceName, portName: server.mcpPortName, port: mcpPort.port },
        // OAuth metadata answers small JSON documents: not streamed.
        extraPaths: (server.extraIngressPaths ?? []).map((p) => ({ path: p })),
        purpose: 'mcp',
        // MCP requests are small JSON-RPC messages.
        maxBodySizeBytes: 10 * 1024 * 1024,
        streaming: true,
        labels: standardLabels(server.identity),
        routing: this.props.routing,
      });
      ingressUrl = routed.url;
      ingressKind = routed.kind;
    }
    const endpoint: McpEndpoint = {
      name: server.name,
      title: server.title,
      namespace: server.namespace,
      serviceName: server.serviceName,
      servicePort: mcpPort.port,
      pods: selectorLabels(server.identity),
      targetPort: mcpPort.targetPort ?? mcpPort.name,
      path,
      exposure: server.exposure,
      nodePortServiceName,
      ingressUrl,
      ingressKind,
      sameOriginUrl: server.sameOriginUrl,
      auth: server.auth,
      bearer: server.bearer,
      apiIdentity: server.apiIdentity,
      unauthenticatedReason: server.unauthenticatedReason,
      risk: server.risk,
    };
    this.endpointList.push(endpoint);
    return endpoint;
  }

  /** Records a server whose Service another controller creates (no NodePort or ingress: we do not own the Service). */
  registerManaged(server: ManagedMcpServerProps): McpEndpoint {
    // The controller's Service targets the same port number it listens on.
    const endpoint: McpEndpoint = { ...server, targetPort: server.servicePort, exposure: { type: 'ClusterIP' } };
    this.endpointList.push(endpoint);
    return endpoint;
  }

  /** A gateway with the environment's routing (see lib/routing/routing.ts). */
  static forEnvironment(scope: Construct, id: string, env: EnvironmentConfig): McpGateway {
    return new McpGateway(scope, id, { routing: routingOf(env) });
  }

  /** Every endpoint of every gateway below a scope (an environment's App), in tree order. */
  static endpointsIn(scope: Construct): McpEndpoint[] {
    return scope.node.findAll().filter((c): c is McpGateway => c instanceof McpGateway).flatMap((g) => g.endpoints);
  }
}
