/**
 * `npm run export`: headless export of a Penpot board for people and CI (issue 16's contract).
 *
 *   npm run export -- --url <Penpot URL> --file-id F --page-id P --object-id O [--format png|svg] [--scale N] --out PATH
 *   npm run export -- --url <Penpot URL> --list --file-id F --page-id P
 *   npm run export -- --env <env> --self-test
 *
 * `--env <env>` stands in for `--url` (the environment's `penpot.publicUri`). Credentials come only
 * from PENPOT_EXPORT_EMAIL and PENPOT_EXPORT_PASSWORD. Exit 0 on success, 1 on a failure (exactly one
 * stderr line `error <code>: <hint>`, `--out` untouched), 2 on bad usage (before any request).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { EXPORT_FORMATS, ExportFormat, PenpotClient, PenpotExportError, isUuid, scaleProblem } from './client';
import { runSelfTest } from './self-test';

export const EMAIL_VARIABLE = 'PENPOT_EXPORT_EMAIL';
export const PASSWORD_VARIABLE = 'PENPOT_EXPORT_PASSWORD';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export const USAGE = [
  'usage: npm run export -- (--url <Penpot URL> | --env <env>) --file-id F --page-id P --object-id O [--format png|svg] [--scale N] --out PATH',
  '       npm run export -- (--url <Penpot URL> | --env <env>) --list --file-id F --page-id P',
  '       npm run export -- (--url <Penpot URL> | --env <env>) --self-test',
  `credentials: ${EMAIL_VARIABLE} and ${PASSWORD_VARIABLE} (a Penpot account with a password, member of the file's team)`,
].join('\n');

export interface ExportCliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** The public URI of an environment's Penpot, or a reason it has none. */
  readonly environmentUri: (name: string) => { uri: string } | { problem: string };
  readonly fetch?: typeof fetch;
}

class UsageError extends Error {}

/** `--env` support: an environment's `penpot.publicUri`, from resolved configurations. */
export function environmentUriFrom(envs: ReadonlyArray<{ name: string; penpot: { enabled: boolean; publicUri: string } }>): ExportCliIo['environmentUri'] {
  return (name) => {
    const env = envs.find((e) => e.name === name);
    if (!env) return { problem: `"${name}" is not an environment; allowed: ${envs.map((e) => e.name).join(', ')}` };
    if (!env.penpot.enabled) return { problem: `${name} runs no Penpot (penpot.enabled is false)` };
    return { uri: env.penpot.publicUri };
  };
}

type Mode =
  | { kind: 'export'; fileId: string; pageId: string; objectId: string; format: ExportFormat; scale: number; out: string }
  | { kind: 'list'; fileId: string; pageId: string }
  | { kind: 'self-test' };

interface Invocation { readonly baseUrl: string; readonly email: string; readonly password: string; readonly mode: Mode }

const OPTIONS = {
  url: { type: 'string' },
  env: { type: 'string' },
  'file-id': { type: 'string' },
  'page-id': { type: 'string' },
  'object-id': { type: 'string' },
  format: { type: 'string' },
  scale: { type: 'string' },
  out: { type: 'string' },
  list: { type: 'boolean' },
  'self-test': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** Everything about the command line, checked before any request. Throws UsageError naming the flag or variable. */
function parseInvocation(argv: readonly string[], io: ExportCliIo): Invocation | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
  } catch (e) {
    // node:util names the flag: "Unknown option '--foo'", "Option '--out <value>' argument missing".
    throw new UsageError(String((e as Error).message).split('\n')[0].replace(/\. To specify a positional.*$/, ''));
  }
  const v = parsed.values;
  if (v.help) return 'help';

  const modes = [v.list ? '--list' : undefined, v['self-test'] ? '--self-test' : undefined].filter(Boolean);
  if (modes.length > 1) throw new UsageError('--list and --self-test exclude each other');
  const given = (name: keyof typeof OPTIONS) => v[name] !== undefined;
  const forbid = (names: Array<keyof typeof OPTIONS>, mode: string) => {
    for (const name of names) if (given(name)) throw new UsageError(`--${name} is not used with ${mode}`);
  };
  const uuid = (name: 'file-id' | 'page-id' | 'object-id'): string => {
    const value = v[name];
    if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
    if (!isUuid(value)) throw new UsageError(`--${name} must be a UUID (got "${value.slice(0, 60)}")`);
    return value.toLowerCase();
  };

  let mode: Mode;
  if (v['self-test']) {
    forbid(['file-id', 'page-id', 'object-id', 'format', 'scale', 'out'], '--self-test');
    mode = { kind: 'self-test' };
  } else if (v.list) {
    forbid(['object-id', 'format', 'scale', 'out'], '--list');
    mode = { kind: 'list', fileId: uuid('file-id'), pageId: uuid('page-id') };
  } else {
    const format = (v.format ?? 'png') as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')} (got "${v.format}")`);
    if (format === 'svg' && given('scale')) throw new UsageError('--scale applies to PNG only, not to --format svg');
    let scale = 1;
    if (v.scale !== undefined) {
      scale = v.scale.trim() === '' ? NaN : Number(v.scale);
      const problem = scaleProblem(scale);
      if (problem) throw new UsageError(`--scale ${problem === 'must be a number' ? `must be a number (got "${v.scale}")` : problem}`);
    }
    const fileId = uuid('file-id');
    const pageId = uuid('page-id');
    const objectId = uuid('object-id');
    if (!v.out) throw new UsageError('--out is required (the file to write)');
    const dir = path.dirname(path.resolve(v.out));
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--out: the folder ${dir} does not exist`);
    if (fs.existsSync(v.out) && fs.statSync(v.out).isDirectory()) throw new UsageError(`--out: ${v.out} is a folder, not a file`);
    mode = { kind: 'export', fileId, pageId, objectId, format, scale, out: v.out };
  }

  const baseUrl = target(v.url, v.env, io);
  const missing = [EMAIL_VARIABLE, PASSWORD_VARIABLE].filter((name) => !io.env[name]);
  if (missing.length > 0) throw new UsageError(`missing credential variable${missing.length > 1 ? 's' : ''} ${missing.join(' and ')} (credentials are never arguments)`);
  return { baseUrl, email: io.env[EMAIL_VARIABLE]!, password: io.env[PASSWORD_VARIABLE]!, mode };
}

/** The base URL from `--url` or `--env`, exactly one of them. */
function target(url: string | undefined, env: string | undefined, io: ExportCliIo): string {
  if (url !== undefined && env !== undefined) throw new UsageError('give --url or --env, not both');
  if (url === undefined && env === undefined) throw new UsageError('--url <Penpot URL> or --env <env> is required');
  if (env !== undefined) {
    const found = io.environmentUri(env);
    if ('problem' in found) throw new UsageError(`--env ${found.problem}`);
    return found.uri;
  }
  let parsed: URL;
  try { parsed = new URL(url!); } catch { throw new UsageError(`--url must be an http(s) URL (got "${url!.slice(0, 80)}")`); }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError('--url must start with http:// or https://');
  // A password in the URL would end up in shell history and process lists.
  if (parsed.username || parsed.password) throw new UsageError(`--url must not carry credentials: use ${EMAIL_VARIABLE} and ${PASSWORD_VARIABLE}`);
  if (parsed.search || parsed.hash) throw new UsageError('--url must be Penpot\'s base URL, without query or fragment');
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
}

/** Writes next to the target and renames over it: readers see the old file or the new one, never a part. */
export function replaceAtomically(file: string, bytes: Uint8Array): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      fs.writeFileSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function singleLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export async function exportMain(argv: readonly string[], io: ExportCliIo): Promise<number> {
  let invocation: Invocation | 'help';
  try {
    invocation = parseInvocation(argv, io);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`error usage: ${singleLine(e.message)} (npm run export -- --help)`);
    return EXIT_USAGE;
  }
  if (invocation === 'help') {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  const { mode } = invocation;
  const client = new PenpotClient({ baseUrl: invocation.baseUrl, email: invocation.email, password: invocation.password, fetch: io.fetch });
  try {
    if (mode.kind === 'list') {
      for (const f of await client.listFrames(mode.fileId, mode.pageId)) {
        io.stdout(`${f.id}\t${f.name.replace(/[\t\r\n]+/g, ' ')}\t${f.width}x${f.height}`);
      }
    } else if (mode.kind === 'export') {
      const image = await client.exportFrame(mode);
      try {
        replaceAtomically(mode.out, image.bytes);
      } catch (e) {
        io.stderr(`error out-not-writable: cannot write ${mode.out} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        return EXIT_FAILURE;
      }
      io.stdout(`wrote ${mode.out} (${image.mimeType}, ${image.width}x${image.height}, ${image.bytes.length} bytes)`);
    } else {
      const report = await runSelfTest(client);
      for (const line of report) io.stdout(line);
    }
    return EXIT_OK;
  } catch (e) {
    if (e instanceof PenpotExportError) {
      io.stderr(`error ${e.code}: ${e.hint}`);
      return EXIT_FAILURE;
    }
    // Never a stack or a request: those could carry the session.
    io.stderr(`error internal: ${singleLine((e as Error)?.name ?? 'Error')} during the ${mode.kind} (a defect of this tool; report it)`);
    return EXIT_FAILURE;
  }
}
