/** `npm run down`: see lib/ops/cli.ts (usage: `npm run down -- --help`). */
import * as path from 'node:path';
import { ENVIRONMENTS } from '../lib/environments';
import { downMain, processIo } from '../lib/ops/cli';
import { systemKubectl } from '../lib/ops/run';

const repoRoot = path.resolve(__dirname, '..');
process.exitCode = downMain(process.argv.slice(2), processIo(repoRoot, ENVIRONMENTS, systemKubectl(repoRoot)));
