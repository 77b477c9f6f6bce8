import { FieldChange } from './model';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The name an array element is known by (containers, ports, env, volumes; volumeClaimTemplates by metadata.name). */
function elementName(v: unknown): string | undefined {
  if (!isRecord(v)) return undefined;
  if (typeof v.name === 'string') return v.name;
  const meta = v.metadata;
  return isRecord(meta) && typeof meta.name === 'string' ? meta.name : undefined;
}

/** Elements keyed by name when every element has a distinct one, so that a reorder or insert does not read as N changes. */
function keyedElements(list: readonly unknown[]): Map<string, unknown> | undefined {
  const names = list.map(elementName);
  if (names.some((n) => n === undefined) || new Set(names).size !== names.length) return undefined;
  return new Map(list.map((v, i) => [names[i]!, v]));
}

function segment(key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function isEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => isEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && isEqual(a[k], b[k]));
  }
  return false;
}

function walk(before: unknown, after: unknown, at: string, out: FieldChange[]): void {
  if (isEqual(before, after)) return;
  if (isRecord(before) && isRecord(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const path = `${at}${segment(key)}`;
      if (!(key in after)) out.push({ path, before: before[key] });
      else if (!(key in before)) out.push({ path, after: after[key] });
      else walk(before[key], after[key], path, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const kb = keyedElements(before);
    const ka = keyedElements(after);
    if (kb && ka && (kb.size > 0 || ka.size > 0)) {
      for (const name of new Set([...kb.keys(), ...ka.keys()])) {
        const path = `${at}[${name}]`;
        if (!ka.has(name)) out.push({ path, before: kb.get(name) });
        else if (!kb.has(name)) out.push({ path, after: ka.get(name) });
        else walk(kb.get(name), ka.get(name), path, out);
      }
      return;
    }
    // Lists of objects of equal length compare element by element; anything else (args, accessModes) as a whole.
    if (before.length === after.length && before.every(isRecord) && after.every(isRecord)) {
      before.forEach((b, i) => walk(b, after[i], `${at}[${i}]`, out));
      return;
    }
  }
  out.push({ path: at, before, after });
}

/** Every changed leaf (or whole list) between two objects, in document order. Paths start without a dot. */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  walk(before, after, '', out);
  return out.map((c) => ({ ...c, path: c.path.replace(/^\./, '') }));
}
