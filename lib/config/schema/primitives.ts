/**
 * Building blocks of the environment input schema. Every object is strict: a key the schema does
 * not list is an error (with a "did you mean" suggestion, see ./issues.ts), never silently dropped.
 * The schema checks shape and types only; value rules (DNS names, ranges, cross-field rules) stay
 * in the validators of each area, which run on the resolved configuration.
 */
import { z } from 'zod';

/** A strict object of optional or required settings: unknown keys are refused. */
export const section = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape);

export const str = () => z.string();
export const num = () => z.number();
export const bool = () => z.boolean();
export const strings = () => z.array(z.string());
export const numbers = () => z.array(z.number());
/** A string -> string map (labels, environment variables, mirrors). */
export const stringMap = () => z.record(z.string(), z.string());

/** Requests and limits, each field optional: what is given overrides the default of that container. */
export const resourcesInput = () => section({
  requests: section({ cpu: str().optional(), memory: str().optional() }).optional(),
  limits: section({ cpu: str().optional(), memory: str().optional() }).optional(),
});

/** How clients outside the cluster reach an MCP server's Service. */
export const exposureInput = () => z.discriminatedUnion('type', [
  section({ type: z.literal('ClusterIP') }),
  /** `nodePort` fixed (30000-32767) so client configs stay valid; omitted = allocated by the cluster. */
  section({ type: z.literal('NodePort'), nodePort: num().optional() }),
]);

export const autoscalingInput = () => section({
  minReplicas: num(),
  maxReplicas: num(),
  /** @default 70 */
  targetCpuPercent: num().optional(),
});

export const accessMode = () => z.enum(['ReadWriteOnce', 'ReadWriteMany']);

/** Pods addressed by namespace and labels (for NetworkPolicies). */
export const podLocationInput = () => section({ namespace: str(), podLabels: stringMap() });

/** Pods addressed by labels of their namespaces (e.g. OpenShift's router). */
export const namespaceGroupInput = () => section({ namespaceLabels: stringMap(), podLabels: stringMap() });
