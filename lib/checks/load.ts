/**
 * Reads a synthesized `dist/` tree into memory. Unlike the checks, loading throws: a file that is
 * not valid YAML (or a contract that is not valid JSON) means the generator is broken, and
 * reporting findings about a half-read tree would only hide that.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { Dist, isRecord, ManifestObject, SecretsContract } from './model';

const CONTRACT_FILE = 'secrets.json';

/** Parses a multi-document YAML text; empty documents (`---` with nothing) are skipped. */
export function loadObjectsFromYaml(text: string, file: string, env: string, app?: string): ManifestObject[] {
  const out: ManifestObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      throw new Error(`${file}: invalid YAML: ${document.errors.map((e) => e.message).join('; ')}`);
    }
    const doc = document.toJS();
    if (doc === null || doc === undefined) continue;
    out.push(app === undefined ? { file, env, doc } : { file, env, app, doc });
  }
  return out;
}

/**
 * Loads every `*.yaml`/`*.yml` below `<repoRoot>/<distDirName>`. The first folder below dist is
 * the environment, the second the app; files directly in dist (no environment) get env ''.
 * Contracts come from `<dist>/<env>/secrets.json`.
 */
export function loadDist(repoRoot: string, distDirName = 'dist'): Dist {
  const distRel = path.posix.normalize(distDirName.replace(/\\/g, '/')).replace(/\/$/, '');
  const root = path.join(repoRoot, distRel);
  if (!fs.statSync(root).isDirectory()) throw new Error(`${root} is not a directory`);
  const objects: ManifestObject[] = [];
  const contracts = new Map<string, SecretsContract>();
  const dirs = new Set<string>([distRel]);

  const walk = (relDir: string): void => {
    // Sorted so that findings come out in the same order on every machine.
    const entries = fs.readdirSync(path.join(repoRoot, relDir), { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = path.posix.join(relDir, entry.name);
      if (entry.isDirectory()) {
        dirs.add(rel);
        walk(rel);
      } else if (entry.isFile()) {
        // Folders between dist and the file: [env, app, ...deeper].
        const folders = path.posix.relative(distRel, rel).split('/').slice(0, -1);
        const env: string | undefined = folders[0];
        const app: string | undefined = folders[1];
        if (/\.ya?ml$/.test(entry.name)) {
          const text = fs.readFileSync(path.join(repoRoot, rel), 'utf8');
          objects.push(...loadObjectsFromYaml(text, rel, env ?? '', app));
        } else if (entry.name === CONTRACT_FILE && env !== undefined && app === undefined) {
          contracts.set(env, readContract(path.join(repoRoot, rel), rel));
        }
      }
    }
  };
  walk(distRel);
  return { root, objects, contracts, dirs };
}

function readContract(absPath: string, rel: string): SecretsContract {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(absPath, 'utf8'));
  } catch (e) {
    throw new Error(`${rel}: invalid JSON: ${(e as Error).message}`);
  }
  // Only the shape the checks rely on is verified; the generator owns the rest of the format.
  const ok = isRecord(parsed) && typeof parsed.environment === 'string' && Array.isArray(parsed.secrets)
    && parsed.secrets.every((s: unknown) => isRecord(s) && typeof s.name === 'string'
      && typeof s.namespace === 'string' && Array.isArray(s.keys));
  if (!ok) throw new Error(`${rel}: not a secrets contract ({environment, secrets: [{name, namespace, keys, ...}]})`);
  return parsed as unknown as SecretsContract;
}
