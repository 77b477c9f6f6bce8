import { parseAllDocuments } from 'yaml';
import { ReviewObject } from './model';

/** Manifests are the YAML files; the rest of an environment folder is docs, client configs and the contract. */
export function isManifestFile(file: string): boolean {
  return /\.ya?ml$/.test(file);
}

export function objectId(doc: any): string {
  const apiVersion = String(doc?.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return `${group}/${doc?.kind}/${doc?.metadata?.namespace ?? ''}/${doc?.metadata?.name}`;
}

/** `Kind namespace/name`, or `Kind name` for cluster-scoped objects. */
export function describe(o: Pick<ReviewObject, 'kind' | 'namespace' | 'name'>): string {
  return o.namespace ? `${o.kind} ${o.namespace}/${o.name}` : `${o.kind} ${o.name}`;
}

/** The objects of one manifest file (`file` relative to the environment folder). */
export function parseManifests(file: string, text: string): ReviewObject[] {
  const docs: unknown[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`${file}: invalid YAML: ${document.errors.map((e) => e.message).join('; ')}`);
    docs.push(document.toJS());
  }
  return reviewObjects(file, docs);
}

/** Review objects of the documents of one file (a `List` counts as its items). */
export function reviewObjects(file: string, docs: readonly unknown[]): ReviewObject[] {
  const out: ReviewObject[] = [];
  for (const doc of docs as any[]) {
    if (doc === null || doc === undefined || typeof doc !== 'object') continue;
    const items = doc.kind === 'List' && Array.isArray(doc.items) ? doc.items : [doc];
    for (const item of items) {
      out.push({
        id: objectId(item),
        kind: String(item.kind),
        ...(item.metadata?.namespace ? { namespace: String(item.metadata.namespace) } : {}),
        name: String(item.metadata?.name),
        file,
        doc: item,
      });
    }
  }
  return out;
}
