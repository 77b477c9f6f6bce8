/** `npm run secrets`: see lib/ops/cli.ts (usage: `npm run secrets -- --help`). */
import * as path from 'node:path';
import { ENVIRONMENTS } from '../lib/environments';
import { secretsMain, processIo } from '../lib/ops/cli';
import { systemKubectl } from '../lib/ops/run';

const repoRoot = path.resolve(__dirname, '..');
process.exitCode = secretsMain(process.argv.slice(2), processIo(repoRoot, ENVIRONMENTS, systemKubectl(repoRoot)));
