import { main } from './lib/cli';
import { ENVIRONMENTS } from './lib/environments';

process.exitCode = main(ENVIRONMENTS, process.argv.slice(2), __dirname);
