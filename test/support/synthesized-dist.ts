import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dist, loadDist } from '../../lib/checks';
import { synth, SynthResult } from '../../lib/cli';
import { EnvironmentInput } from '../../lib/config/types';
import { tempDir } from './environments';

export interface SynthesizedDist {
  readonly dist: Dist;
  readonly result: SynthResult;
  /** A file below the temporary dist/, e.g. `test/CONNECT.md`. */
  read(rel: string): string;
}

/**
 * Synthesizes environments into a temporary `dist/` exactly as `npm run synth` does (manifests,
 * secrets contract, docs) and loads it the way the checks and the policy suite read dist/.
 */
export function synthesizedDist(...inputs: EnvironmentInput[]): SynthesizedDist {
  const root = tempDir('synthesized-dist-');
  const result = synth(inputs, { only: [], outdir: path.join(root, 'dist') });
  return { dist: loadDist(root), result, read: (rel) => fs.readFileSync(path.join(root, 'dist', rel), 'utf8') };
}
