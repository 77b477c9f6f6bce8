/**
 * Facts of the kMCP releases this platform installs, read from upstream source (kagent-dev/kmcp
 * at the release tag). Both the constructs (to set every image explicitly, through the mirror)
 * and the checks (to model what the chart and the controller would pick on their own) use them.
 *
 * kMCP 0.3.0:
 * - helm/kmcp/values.yaml: `image.repository: ghcr.io/kagent-dev/kmcp/controller`, `image.tag` unset;
 *   helm/kmcp/templates/_helpers.tpl `kmcp.image`: tag = `.Values.image.tag | default .Chart.AppVersion`;
 *   the release workflow (.github/workflows/tag.yaml `VERSION=$(echo "$GITHUB_REF" | cut -c12-)`,
 *   Makefile `helm-package` writes it as appVersion) makes appVersion the tag without `v`, i.e. 0.3.0.
 * - pkg/controller/transportadapter/transportadapter_translator.go: `transportAdapterRepository =
 *   "ghcr.io/agentgateway/agentgateway"`, `defaultTransportAdapterVersion = "0.9.0"`; the init
 *   container image is `<repository>:<version>-musl` (getTransportAdapterImage) unless the controller
 *   has `TRANSPORT_ADAPTER_VERSION` (the chart's `controller.env` is empty) or the MCPServer sets
 *   `spec.deployment.initContainer.image` (api/v1alpha1/mcpserver_types.go InitContainerConfig.Image).
 */
export const KMCP_CONTROLLER_REPOSITORY = 'ghcr.io/kagent-dev/kmcp/controller';
export const KMCP_ADAPTER_REPOSITORY = 'ghcr.io/agentgateway/agentgateway';
/** Transport adapter version each modelled kMCP release pins. */
export const KMCP_ADAPTER_VERSIONS: Readonly<Record<string, string>> = { '0.3.0': '0.9.0' };
/** The kMCP release assumed when an environment uses a kMCP installed outside it. */
export const DEFAULT_KMCP_VERSION = '0.3.0';

/** The adapter image kMCP `version` puts into a stdio MCPServer's init container when the spec names none. */
export function kmcpAdapterImage(kmcpVersion: string): string {
  const adapter = KMCP_ADAPTER_VERSIONS[kmcpVersion];
  if (!adapter) {
    throw new Error(`kMCP ${kmcpVersion}: the transport adapter version it pins is not modelled (lib/kmcp-release.ts KMCP_ADAPTER_VERSIONS); `
      + `known releases: ${Object.keys(KMCP_ADAPTER_VERSIONS).join(', ')}`);
  }
  return `${KMCP_ADAPTER_REPOSITORY}:${adapter}-musl`;
}

/** The controller image of kMCP `version` (chart default: the chart's appVersion, which is the version). */
export function kmcpControllerImage(kmcpVersion: string): string {
  return `${KMCP_CONTROLLER_REPOSITORY}:${kmcpVersion}`;
}
