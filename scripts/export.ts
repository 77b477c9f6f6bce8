/** `npm run export`: headless Penpot board export (see lib/penpot/export/cli.ts; `npm run export -- --help`). */
import { resolveEnvironments } from '../lib/config/resolve';
import { ENVIRONMENTS } from '../lib/environments';
import { environmentUriFrom, exportMain } from '../lib/penpot/export/cli';

exportMain(process.argv.slice(2), {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  // Resolved only when --env is given: a config error must not break --url use.
  environmentUri: (name) => environmentUriFrom(resolveEnvironments(ENVIRONMENTS))(name),
}).then((code) => { process.exitCode = code; });
