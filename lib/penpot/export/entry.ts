/** Entry point of the bundled server (lib/penpot/export/bundle.ts builds it into one file). */
import { main } from './server';

main(process.argv.slice(2), process.env).then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`penpot-export: ${(e as Error)?.message ?? e}\n`);
  process.exitCode = 1;
});
