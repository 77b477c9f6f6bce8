import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvironmentInput } from '../../lib/config/types';

/** A minimal valid environment; tests derive bad variants from it. */
export function minimalEnv(overrides: Partial<EnvironmentInput> = {}): EnvironmentInput {
  return {
    name: 'test',
    domain: 'test.internal',
    argo: { repoURL: 'https://git.test.internal/platform/gitops.git' },
    ...overrides,
  };
}

export function tempDir(prefix = 'penpot-platform-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Every file below `dir` with its content, for before/after comparisons. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}
