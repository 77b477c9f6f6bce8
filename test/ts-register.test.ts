/**
 * scripts/register.js, the fast path of `npm run synth` and `cdk8s synth`: it must run our
 * TypeScript exactly as ts-node --transpile-only (the type-checked path's emit) does, pick up
 * every change despite its cache, and keep stack traces on .ts lines.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const HOOK = path.join(ROOT, 'scripts', 'register.js');

let dir: string;
let cacheDir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-register-'));
  cacheDir = path.join(dir, 'cache');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(preload: string, file: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['-r', preload, file], {
    cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, TS_REGISTER_CACHE_DIR: cacheDir },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TYPES = `export interface Shape { readonly sides: number }
export type Name = 'square' | 'triangle';
export const SQUARE = 4;
`;
const PROBE = `import type { Shape } from './types';
import { SQUARE, Name } from './types';
export type { Shape, Name } from './types';

class Base {
  readonly tag: string | undefined;
  constructor() { this.tag = 'set-by-base'; this.init(); }
  protected init(): void {}
}
class Derived extends Base {
  declare readonly tag: string | undefined;
  count = 0;
  overridden?: string;
  private readonly items = new Map<string, number>();
  constructor(private readonly shape: Shape) { super(); this.items.set('sides', this.shape.sides); }
  protected override init(): void { this.overridden = 'set-in-init'; }
  sides(): number { return this.items.get('sides') ?? -1; }
}
const name: Name = 'square';
const d = new Derived({ sides: SQUARE });
console.log(JSON.stringify({ name, tag: d.tag, count: d.count, overridden: d.overridden, sides: d.sides(), keys: Object.keys(d) }));
`;

test('runs our TypeScript exactly like ts-node --transpile-only (type-only imports and re-exports, class field semantics)', () => {
  fs.writeFileSync(path.join(dir, 'types.ts'), TYPES);
  fs.writeFileSync(path.join(dir, 'probe.ts'), PROBE);
  const fast = run(HOOK, path.join(dir, 'probe.ts'));
  const reference = run('ts-node/register/transpile-only', path.join(dir, 'probe.ts'));
  expect(fast.stderr).toBe('');
  expect(fast.status).toBe(0);
  expect(reference.status).toBe(0);
  expect(fast.stdout).toBe(reference.stdout);
  // useDefineForClassFields (target ES2022): `overridden` is redefined after super(), as tsc emits it.
  const result = JSON.parse(fast.stdout);
  expect(result).toMatchObject({ name: 'square', tag: 'set-by-base', count: 0, sides: 4 });
  expect(result.overridden).toBeUndefined();
  expect(result.keys).toEqual(expect.arrayContaining(['overridden', 'count']));
});

test('a changed file is transpiled again even with the same size and modification time; an unchanged one comes from the cache', () => {
  const file = path.join(dir, 'value.ts');
  const write = (v: number): void => {
    fs.writeFileSync(file, `const v: number = ${v};\nconsole.log(v);\n`);
    fs.utimesSync(file, new Date(1_700_000_000_000), new Date(1_700_000_000_000));
  };
  write(1);
  expect(run(HOOK, file).stdout).toBe('1\n');
  const cached = fs.readdirSync(cacheDir).map((f) => path.join(cacheDir, f));
  const before = new Map(cached.map((f) => [f, fs.readFileSync(f, 'utf8')]));
  expect(run(HOOK, file).stdout).toBe('1\n');
  for (const [f, text] of before) expect(fs.readFileSync(f, 'utf8')).toBe(text);
  write(2);
  expect(run(HOOK, file).stdout).toBe('2\n');
});

test('stack traces point at the .ts source line', () => {
  const file = path.join(dir, 'throws.ts');
  fs.writeFileSync(file, [
    'interface Input { readonly a: number }',
    '',
    '// comments and types are dropped by the transpiler, which moves lines',
    '/** Throws. */',
    'export function fail(input: Input): never {',
    '  throw new Error(`failed ${input.a}`);',
    '}',
    'fail({ a: 1 });',
    '',
  ].join('\n'));
  const r = run(HOOK, file);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain(`at fail (${file}:6:9)`);
});
