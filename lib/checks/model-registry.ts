/** Models registered for kinds the schema packages lack (imported CRDs, tests' own kinds). */

/** A kubernetes-models class: constructed from a plain object, `validate()` throws on errors. */
export type ModelClass = new (data: any) => { validate(): void };

const registered = new Map<string, ModelClass>();

/** Adds a model for an apiVersion/kind the built-in packages lack (e.g. an imported CRD). */
export function registerModel(apiVersion: string, kind: string, cls: ModelClass): void {
  registered.set(`${apiVersion}|${kind}`, cls);
}

export function registeredModel(apiVersion: string, kind: string): ModelClass | undefined {
  return registered.get(`${apiVersion}|${kind}`);
}
