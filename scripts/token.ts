/** `npm run token`: see lib/kubernetes-mcp-token.ts (usage: `npm run token -- --help`). */
import * as path from 'node:path';
import { ENVIRONMENTS } from '../lib/environments';
import { tokenMain } from '../lib/kubernetes-mcp-token';
import { systemKubectl } from '../lib/ops/run';

const repoRoot = path.resolve(__dirname, '..');
process.exitCode = tokenMain(process.argv.slice(2), {
  inputs: ENVIRONMENTS,
  kubectl: systemKubectl(repoRoot),
  out: (text) => process.stdout.write(text),
  err: (line) => process.stderr.write(`${line}\n`),
});
