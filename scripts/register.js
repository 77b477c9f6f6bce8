'use strict';
/**
 * Require hook that runs TypeScript without type-checking (`node -r ./scripts/register.js main.ts`):
 * the fast path of `npm run synth` and `cdk8s synth`. Type-checking is `tsc --noEmit` in `npm test`.
 *
 * Each .ts file is transpiled alone by esbuild (what `isolatedModules` guarantees is safe), with
 * tsconfig.json's options (class fields follow its target, as tsc emits them), and the result is
 * cached in node_modules/.cache/ts-register/, one file per source file, keyed by a hash of the
 * source, the options and the versions. So an unchanged file costs one read and no esbuild call,
 * and esbuild starts only when a file changed. Stack traces point at .ts lines (inline source
 * maps, Node's own support). No network; writes nothing outside the cache folder
 * (TS_REGISTER_CACHE_DIR overrides it).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const ROOT = path.resolve(__dirname, '..');
const CACHE_DIR = process.env.TS_REGISTER_CACHE_DIR || path.join(ROOT, 'node_modules', '.cache', 'ts-register');
const HOOK_VERSION = '1';

const read = (file) => { try { return fs.readFileSync(file, 'utf8'); } catch { return ''; } };
const sha1 = (text) => crypto.createHash('sha1').update(text).digest('hex');

const tsconfigRaw = read(path.join(ROOT, 'tsconfig.json')) || '{}';
const target = `node${process.versions.node.split('.')[0]}`;
const esbuildVersion = (() => {
  try { return JSON.parse(read(require.resolve('esbuild/package.json', { paths: [ROOT] }))).version; } catch { return '?'; }
})();
const salt = [HOOK_VERSION, esbuildVersion, target, tsconfigRaw].join('\0');

let esbuild;
function transpile(source, filename) {
  esbuild ??= require('esbuild');
  return esbuild.transformSync(source, {
    loader: 'ts', format: 'cjs', target, tsconfigRaw, sourcefile: filename, sourcemap: 'inline',
  }).code;
}

/**
 * A syntax error becomes one line, `file:line:column: message`, and the process stops before
 * anything is written (no esbuild stack to dig the location out of).
 */
function transpileOrExit(source, filename) {
  try {
    return transpile(source, filename);
  } catch (err) {
    const first = err && err.errors && err.errors[0];
    if (!first) throw err;
    const where = first.location ? `${path.relative(process.cwd(), filename)}:${first.location.line}:${first.location.column + 1}` : path.relative(process.cwd(), filename);
    process.stderr.write(`${where}: syntax error: ${first.text}; nothing was written\n`);
    process.exit(1);
  }
}

function compiled(source, filename) {
  const stamp = `\n//# ts-register ${sha1(`${salt}\0${filename}\0${source}`)}\n`;
  const cacheFile = path.join(CACHE_DIR, `${sha1(filename)}.js`);
  const cached = read(cacheFile);
  if (cached.endsWith(stamp)) return cached;
  const code = transpileOrExit(source, filename) + stamp;
  try { // best effort: a read-only node_modules only makes every run transpile
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, cacheFile);
  } catch { /* ignore */ }
  return code;
}

process.setSourceMapsEnabled(true);
Module._extensions['.ts'] = function loadTs(module, filename) {
  module._compile(compiled(fs.readFileSync(filename, 'utf8'), filename), filename);
};
