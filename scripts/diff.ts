/** `npm run diff`: see lib/review/cli.ts (usage: `npm run diff -- --help`). */
import * as path from 'node:path';
import { ENVIRONMENTS } from '../lib/environments';
import { diffMain } from '../lib/review/cli';

process.exitCode = diffMain(ENVIRONMENTS, process.argv.slice(2), path.resolve(__dirname, '..'), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
