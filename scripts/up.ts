/** `npm run up`: see lib/ops/cli.ts (usage: `npm run up -- --help`). */
import * as path from 'node:path';
import { ENVIRONMENTS } from '../lib/environments';
import { upMain, processIo } from '../lib/ops/cli';
import { systemKubectl } from '../lib/ops/run';

const repoRoot = path.resolve(__dirname, '..');
process.exitCode = upMain(process.argv.slice(2), processIo(repoRoot, ENVIRONMENTS, systemKubectl(repoRoot)));
