import * as transit from 'transit-js';
import { DOMParser } from '@xmldom/xmldom';

/**
 * A small client of Penpot 2.17's HTTP surface for headless frame export, exactly the flow of
 * ../shared/reference/penpot-export.md (read at tag 2.17.0 of penpot/penpot): a password session
 * (`login-with-password`, re-login once when the session is refused), `get-profile` with the
 * zero-uuid check, `get-page`, `/api/export` in transit (the exporter accepts only the session
 * cookie), and the download from the caller's own base URL plus the path of the exporter's `:uri`.
 *
 * The failures of a headless Penpot export, each with a stable code (what programs branch on)
 * and a one-line hint for the operator. `action` tells an agent what it can do about it:
 * `retry-later` (transient), `fix-deployment` (an operator must change something), `fix-request`
 * (the caller's ids or input are wrong). Hints never carry a password, cookie or token.
 */

export const EXPORT_ERROR_CODES = [
  'exporter-unavailable',
  'unable-to-upload-resource',
  'render-timeout',
  'auth-failed',
  'not-found',
  'not-a-frame',
  'download-expired',
  'download-failed',
  'penpot-unreachable',
  'export-failed',
] as const;

export type ExportErrorCode = typeof EXPORT_ERROR_CODES[number];

export type ExportErrorAction = 'retry-later' | 'fix-deployment' | 'fix-request';

/** What the code means, for the docs (tested to cover every code). */
export const EXPORT_ERROR_MEANINGS: Readonly<Record<ExportErrorCode, { meaning: string; fix: string; action: ExportErrorAction }>> = {
  'exporter-unavailable': {
    meaning: 'the frontend\'s nginx answered 502 or 504 for `/api/export`: the exporter is not running, or a render took longer than 300 s',
    fix: '`kubectl -n <penpot namespace> logs deploy/penpot-exporter`; a crash loop at start is usually a missing `PENPOT_SECRET_KEY`, an OOM kill needs more memory',
    action: 'fix-deployment',
  },
  'unable-to-upload-resource': {
    meaning: 'the exporter rendered the frame but the backend refused to store it; the hint names the cause from the upload\'s HTTP status',
    fix: '403: make `PENPOT_SECRET_KEY` identical on backend and exporter; 500: make the assets volume writable by UID 1001 (or fix S3); 404: point the exporter\'s `PENPOT_INTERNAL_URI` at the frontend Service',
    action: 'fix-deployment',
  },
  'render-timeout': {
    meaning: 'the exporter\'s headless browser never finished the render (exporter code `timeout`, or Playwright\'s `Timeout ... exceeded`)',
    fix: 'retry later (the browser pool may be busy); if it persists, check that `PENPOT_INTERNAL_URI` serves `render.html` and that `PENPOT_PUBLIC_URI` matches on all components',
    action: 'retry-later',
  },
  'auth-failed': {
    meaning: 'Penpot did not accept the service account: wrong email or password, password login disabled, or a session it no longer knows (the anonymous profile)',
    fix: 'check the service account\'s email and password (the export Secret or `PENPOT_EXPORT_EMAIL`/`PENPOT_EXPORT_PASSWORD`) and that `enable-login-with-password` is in the backend flags',
    action: 'fix-deployment',
  },
  'not-found': {
    meaning: 'the file, page or object does not exist or is not shared with the service account',
    fix: 'check the ids; invite the service account to the team that owns the file',
    action: 'fix-request',
  },
  'not-a-frame': {
    meaning: 'the object exists but is not a board (frame)',
    fix: 'export a board: `--list` (or the `list_frames` tool) shows the page\'s top-level boards',
    action: 'fix-request',
  },
  'download-expired': {
    meaning: 'the rendered file is gone at `/assets/by-id/<id>` (404): it expired (~10 minutes), or the frontend cannot see the backend\'s assets volume',
    fix: 'retry the export; if it fails at once, mount the assets volume in the frontend at `/opt/data/assets`',
    action: 'retry-later',
  },
  'download-failed': {
    meaning: 'the download was cut, came back empty (a 204 or 307 from the backend itself, not through nginx) or was not the requested image',
    fix: 'use the frontend\'s URL (not the backend\'s); retry a cut transfer',
    action: 'fix-deployment',
  },
  'penpot-unreachable': {
    meaning: 'no HTTP answer from Penpot (connection refused, DNS, timeout) or the backend behind the frontend is not ready',
    fix: 'check the URL and that the frontend and backend pods are ready',
    action: 'retry-later',
  },
  'export-failed': {
    meaning: 'the exporter answered an error none of the codes above describes (its own code and hint are in the message)',
    fix: '`kubectl -n <penpot namespace> logs deploy/penpot-exporter` at the time of the export',
    action: 'fix-deployment',
  },
};

export interface PenpotExportErrorDetails {
  /** HTTP status that led to the error, when there was one. */
  readonly status?: number;
  /** Overrides the code's usual action. */
  readonly action?: ExportErrorAction;
  readonly cause?: unknown;
}

/** A failure of the export path: `code` is stable, `hint` one line for the operator. */
export class PenpotExportError extends Error {
  readonly code: ExportErrorCode;
  readonly hint: string;
  readonly action: ExportErrorAction;
  readonly status?: number;

  constructor(code: ExportErrorCode, hint: string, details: PenpotExportErrorDetails = {}) {
    const line = oneLine(hint);
    super(`${code}: ${line}`, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = 'PenpotExportError';
    this.code = code;
    this.hint = line;
    this.action = details.action ?? EXPORT_ERROR_MEANINGS[code].action;
    this.status = details.status;
  }

  /** What an agent or a log line gets: never a secret (hints are built from our own texts). */
  toJSON(): { code: ExportErrorCode; hint: string; action: ExportErrorAction; status?: number } {
    return { code: this.code, hint: this.hint, action: this.action, ...(this.status !== undefined ? { status: this.status } : {}) };
  }
}

export function isPenpotExportError(e: unknown): e is PenpotExportError {
  return e instanceof PenpotExportError;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The hint of `unable-to-upload-resource`, chosen by the status the backend gave the exporter's upload. */
export function uploadFailureHint(responseStatus: number | undefined): string {
  switch (responseStatus) {
    case 403:
      return 'the backend rejected the exporter\'s shared key (upload answered 403): PENPOT_SECRET_KEY differs between penpot-backend and penpot-exporter; set the same Secret on both and restart them';
    case 500:
      return 'the backend could not store the rendered file (upload answered 500): the assets volume /opt/data/assets is not writable by UID 1001 (chown it to 1001 or set fsGroup 1001), or the S3 store failed; see penpot-backend logs';
    case 404:
      return 'the exporter\'s upload to /api/management/methods/upload-tempfile answered 404: PENPOT_INTERNAL_URI of penpot-exporter does not route /api to the backend; point it at the frontend Service (http://penpot-frontend:8080)';
    case 413:
      return 'the rendered file is larger than the upload limit (upload answered 413): raise PENPOT_HTTP_SERVER_MAX_BODY_SIZE or export at a smaller scale';
    default:
      return `the backend refused the exporter's upload (status ${responseStatus ?? 'unknown'}): see penpot-backend and penpot-exporter logs`;
  }
}

// ---------------------------------------------------------------------------------------------
// Protocol constants (penpot-export.md "Calls, in order").

/** The id of the anonymous profile: get-profile answers it (with 200) for a refused credential. */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
export const SESSION_COOKIE = 'auth-token';
/** Exactly this, no charset: the exporter decodes the body only for this exact value (exp/http.cljs). */
export const TRANSIT_CONTENT_TYPE = 'application/transit+json';
export const RPC_PREFIX = '/api/main/methods/';
export const EXPORT_PATH = '/api/export';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export type ExportFormat = 'png' | 'svg';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['png', 'svg'];
export const MAX_SCALE = 10;

/** Why a scale is refused, or undefined when 0 < scale <= 10. */
export function scaleProblem(scale: number): string | undefined {
  if (!Number.isFinite(scale)) return 'must be a number';
  if (scale <= 0 || scale > MAX_SCALE) return `must be greater than 0 and at most ${MAX_SCALE} (got ${scale})`;
  return undefined;
}

export interface Frame {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly width: number;
  readonly height: number;
  readonly parentId?: string;
}

export interface Profile {
  readonly id: string;
  readonly email?: string;
  readonly defaultProjectId?: string;
  readonly defaultTeamId?: string;
}

export interface ExportRequest {
  readonly fileId: string;
  readonly pageId: string;
  readonly objectId: string;
  /** @default 'png' */
  readonly format?: ExportFormat;
  /** PNG only. @default 1 */
  readonly scale?: number;
}

export interface ExportedImage {
  readonly mimeType: 'image/png' | 'image/svg+xml';
  readonly bytes: Buffer;
  /** PNG: from the IHDR header (pixels). SVG: the frame's size in Penpot. */
  readonly width: number;
  readonly height: number;
  readonly frame: Frame;
}

export interface PenpotClientOptions {
  /** What the caller reaches Penpot at (the frontend), e.g. `https://penpot.example.internal`. */
  readonly baseUrl: string;
  readonly email: string;
  readonly password: string;
  /** Bound of each RPC and download request. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Bound of `/api/export` (nginx gives up after 300 s). @default 330000 */
  readonly exportTimeoutMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

type Json = any;

/** The session was refused: the caller logs in again once. */
class SessionRefused extends Error {}

/**
 * A session of one Penpot service account. Not safe for concurrent re-logins by design of
 * simplicity: calls share one cookie and a refused cookie is replaced once per call.
 */
export class PenpotClient {
  readonly baseUrl: string;
  private readonly email: string;
  private readonly password: string;
  private readonly requestTimeoutMs: number;
  private readonly exportTimeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private session?: string;
  private login?: Promise<string>;

  constructor(options: PenpotClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.email = options.email;
    this.password = options.password;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.exportTimeoutMs = options.exportTimeoutMs ?? 330_000;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  /** The service account's profile; the zero uuid (a refused session) is `auth-failed`. */
  async profile(): Promise<Profile> {
    return this.withSession(async (cookie, fresh) => {
      const body = await this.rpc('get-profile', {}, cookie);
      const id = typeof body?.id === 'string' ? body.id : undefined;
      if (!id || id === ZERO_UUID) {
        if (!fresh) throw new SessionRefused();
        throw new PenpotExportError('auth-failed', 'Penpot answered get-profile with the anonymous profile (zero uuid) right after a successful login: '
          + 'the session is not accepted; PENPOT_SECRET_KEY must be set and stable on penpot-backend');
      }
      return { id, email: body.email, defaultProjectId: body.defaultProjectId, defaultTeamId: body.defaultTeamId };
    });
  }

  /** `get-page`: the page's objects (with `objectId`: only that object and its children). */
  async page(fileId: string, pageId: string, objectId?: string): Promise<Record<string, Json>> {
    return this.withSession(async (cookie) => {
      const body = await this.rpc('get-page', { 'file-id': fileId, 'page-id': pageId, ...(objectId ? { 'object-id': objectId } : {}) }, cookie,
        { notFound: `file ${fileId} not found or not shared with the service account ${this.email}` });
      const objects = body?.objects;
      if (!objects || typeof objects !== 'object') {
        throw new PenpotExportError('not-found', `page ${pageId} not found in file ${fileId}`);
      }
      return objects;
    });
  }

  /** The page's top-level boards (frames whose parent is the root), in Penpot's order. */
  async listFrames(fileId: string, pageId: string): Promise<Frame[]> {
    const objects = await this.page(fileId, pageId);
    // Every page has its root frame (the zero uuid): without it the page does not exist.
    if (!objects[ZERO_UUID]) throw new PenpotExportError('not-found', `page ${pageId} not found in file ${fileId}`);
    return Object.values(objects)
      .filter((o: Json) => o?.type === 'frame' && o.id !== ZERO_UUID && o.parentId === ZERO_UUID)
      .map(toFrame);
  }

  /** The object, which must exist (a missing page or object is a 200 without it) and be a board. */
  async frame(fileId: string, pageId: string, objectId: string): Promise<Frame> {
    const objects = await this.page(fileId, pageId, objectId);
    const object = objects[objectId];
    if (!object) throw new PenpotExportError('not-found', `object ${objectId} not found on page ${pageId} of file ${fileId} (or the page does not exist)`);
    const frame = toFrame(object);
    if (frame.type !== 'frame') {
      throw new PenpotExportError('not-a-frame', `object ${objectId} ("${frame.name}") is a ${frame.type}, not a board: export a board (list them with list_frames / --list)`);
    }
    return frame;
  }

  /** Renders one board through the exporter and downloads it; checks the bytes are the image asked for. */
  async exportFrame(request: ExportRequest): Promise<ExportedImage> {
    const format = request.format ?? 'png';
    const scale = format === 'png' ? request.scale ?? 1 : 1;
    const problem = scaleProblem(scale);
    if (problem) throw new RangeError(`scale ${problem}`);
    const profile = await this.profile();
    const frame = await this.frame(request.fileId, request.pageId, request.objectId);
    const uri = await this.withSession((cookie) => this.postExport(cookie, profile.id, request, frame, format, scale));
    const bytes = await this.withSession((cookie) => this.download(cookie, uri));
    if (format === 'png') {
      const size = pngSize(bytes);
      if (!size) throw new PenpotExportError('download-failed', `the download from ${pathOf(uri)} is not a PNG (${describeBytes(bytes)})`);
      return { mimeType: 'image/png', bytes, ...size, frame };
    }
    const problemSvg = svgProblem(bytes);
    if (problemSvg) throw new PenpotExportError('download-failed', `the download from ${pathOf(uri)} is not an SVG image: ${problemSvg}`);
    return { mimeType: 'image/svg+xml', bytes, width: frame.width, height: frame.height, frame };
  }

  /** A backend RPC command (`/api/main/methods/<name>`) as the service account, JSON in and out. */
  async command(name: string, params: Record<string, unknown>, options: { method?: 'GET' | 'POST'; notFound?: string } = {}): Promise<Json> {
    return this.withSession((cookie) => this.rpc(name, params, cookie, { ...options, method: options.method ?? 'POST' }));
  }

  // -------------------------------------------------------------------------------------------

  /** Runs `fn` with a session; when the session is refused, logs in again once and retries. */
  private async withSession<T>(fn: (cookie: string, fresh: boolean) => Promise<T>): Promise<T> {
    const reused = this.session !== undefined;
    let cookie = this.session ?? await this.loginOnce();
    try {
      return await fn(cookie, !reused);
    } catch (e) {
      if (!(e instanceof SessionRefused)) throw e;
      if (this.session === cookie) this.session = undefined;
      cookie = await this.loginOnce();
      try {
        return await fn(cookie, true);
      } catch (again) {
        if (again instanceof SessionRefused) {
          throw new PenpotExportError('auth-failed', 'Penpot refused a session it had just issued (401 right after login): PENPOT_SECRET_KEY must be set and stable on penpot-backend');
        }
        throw again;
      }
    }
  }

  private loginOnce(): Promise<string> {
    this.login ??= this.doLogin().then((cookie) => { this.session = cookie; return cookie; }).finally(() => { this.login = undefined; });
    return this.login;
  }

  private async doLogin(): Promise<string> {
    const res = await this.send(`${RPC_PREFIX}login-with-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email: this.email, password: this.password }),
    }, 'login-with-password');
    const body = await readJson(res);
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      const code = body?.code;
      if (code === 'login-disabled') {
        throw new PenpotExportError('auth-failed', 'password login is disabled on this Penpot: add enable-login-with-password to the backend\'s PENPOT_FLAGS', { status: res.status });
      }
      if (code === 'wrong-credentials') {
        throw new PenpotExportError('auth-failed', `Penpot rejected the email or password of the service account ${this.email} (wrong-credentials)`, { status: res.status });
      }
      throw new PenpotExportError('auth-failed', `Penpot refused the login of ${this.email} (${res.status} ${body?.code ?? 'no code'}): check the account exists, has a password (not OIDC-only) and is not blocked`, { status: res.status });
    }
    this.failOnServerStatus(res, 'login-with-password');
    if (res.status !== 200) throw new PenpotExportError('auth-failed', `login-with-password answered ${res.status}`, { status: res.status });
    const cookie = sessionCookie(res);
    if (!cookie) {
      throw new PenpotExportError('auth-failed', `login-with-password answered 200 without an ${SESSION_COOKIE} cookie: the URL ${this.baseUrl} may not be Penpot's frontend`);
    }
    return cookie;
  }

  private async rpc(name: string, params: Record<string, unknown>, cookie: string,
    options: { method?: 'GET' | 'POST'; notFound?: string } = {}): Promise<Json> {
    const method = options.method ?? 'GET';
    let path = `${RPC_PREFIX}${name}`;
    const headers: Record<string, string> = { accept: 'application/json', cookie: `${SESSION_COOKIE}=${cookie}` };
    let body: string | undefined;
    if (method === 'GET') {
      const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
      if (query) path += `?${query}`;
    } else {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(params);
    }
    const res = await this.send(path, { method, headers, body }, name);
    const json = await readJson(res);
    if (res.status === 401) throw new SessionRefused();
    if (res.status === 404 || (res.status === 403 && json?.type === 'not-found')) {
      throw new PenpotExportError('not-found', options.notFound ?? `${name}: ${json?.code ?? 'not found'}`, { status: res.status });
    }
    if (res.status === 403) {
      throw new PenpotExportError('not-found', `${name}: the service account ${this.email} may not read this (${json?.code ?? 'forbidden'}): share the team with it`, { status: res.status });
    }
    if (res.status === 400) {
      throw new PenpotExportError('not-found', `${name} refused the request (${json?.code ?? 'validation'}): check the ids`, { status: 400, action: 'fix-request' });
    }
    this.failOnServerStatus(res, name);
    if (res.status === 204) return null;
    if (res.status !== 200) throw new PenpotExportError('penpot-unreachable', `${name} answered ${res.status}`, { status: res.status });
    if (json === undefined) {
      throw new PenpotExportError('penpot-unreachable', `${name} did not answer JSON: ${this.baseUrl} does not look like Penpot's frontend`, { status: res.status, action: 'fix-deployment' });
    }
    return json;
  }

  private failOnServerStatus(res: Response, what: string): void {
    if (res.status >= 500) {
      throw new PenpotExportError('penpot-unreachable', `${what} answered ${res.status}: penpot-backend is not ready or failing behind the frontend; see its logs`, { status: res.status });
    }
  }

  private async postExport(cookie: string, profileId: string, request: ExportRequest, frame: Frame, format: ExportFormat, scale: number): Promise<string> {
    const k = transit.keyword;
    const body = transit.writer('json-verbose').write(transit.map([
      k('cmd'), k('export-shapes'),
      k('profile-id'), transit.uuid(profileId),
      k('wait'), true,
      k('is-wasm'), false,
      k('exports'), [transit.map([
        k('file-id'), transit.uuid(request.fileId),
        k('page-id'), transit.uuid(request.pageId),
        k('object-id'), transit.uuid(request.objectId),
        k('type'), k(format),
        k('suffix'), '',
        k('scale'), scale,
        k('name'), frame.name,
      ])],
    ]));
    const res = await this.send(EXPORT_PATH, {
      method: 'POST',
      // Cookie only: the 2.17 exporter reads the session from the cookie, never a header.
      headers: { 'content-type': TRANSIT_CONTENT_TYPE, accept: TRANSIT_CONTENT_TYPE, cookie: `${SESSION_COOKIE}=${cookie}` },
      body,
    }, 'export', this.exportTimeoutMs);
    const text = await readText(res, 'export');
    if (res.status === 502) throw new PenpotExportError('exporter-unavailable', 'the frontend answered 502 for /api/export: is penpot-exporter running? see its logs (kubectl logs deploy/penpot-exporter)', { status: 502 });
    if (res.status === 504) throw new PenpotExportError('exporter-unavailable', 'the export took longer than the frontend\'s 300 s proxy timeout (504): is penpot-exporter running and not starved? see its logs', { status: 504 });
    const data = decodeTransit(text);
    if (res.status === 200 && data) {
      const uri = data.uri;
      if (typeof uri !== 'string' || uri === '') throw new PenpotExportError('export-failed', 'the exporter answered 200 without a :uri to download', { status: 200 });
      return uri;
    }
    if (res.status === 200 || res.status === 204) {
      throw new PenpotExportError('export-failed', `the exporter answered ${res.status} without a transit result`, { status: res.status });
    }
    const code = typeof data?.code === 'string' ? data.code : undefined;
    const hint = typeof data?.hint === 'string' ? data.hint : '';
    if (code === 'unable-to-upload-resource') {
      const status = data?.data?.['response-status'] ?? data?.['response-status'];
      throw new PenpotExportError('unable-to-upload-resource', uploadFailureHint(typeof status === 'number' ? status : undefined), { status: res.status });
    }
    if (code === 'timeout' || /timeout \d+ ?ms exceeded/i.test(hint)) {
      throw new PenpotExportError('render-timeout', 'the exporter\'s browser did not finish the render (pool busy, or render.html at PENPOT_INTERNAL_URI never showed the board): retry later; if it persists see penpot-exporter logs', { status: res.status });
    }
    if (res.status === 503) {
      throw new PenpotExportError('render-timeout', 'the exporter\'s browser pool is not ready (503): retry later', { status: 503 });
    }
    if (res.status === 404 && data?.type === 'not-found') {
      throw new PenpotExportError('not-found', `the exporter found no such object (${code ?? 'not-found'}): check the ids`, { status: 404 });
    }
    if (res.status === 400 && data?.type === 'validation') {
      throw new PenpotExportError('auth-failed', 'the exporter refused the request as invalid (400 validation): the session cookie did not reach it; call Penpot through its frontend URL', { status: 400 });
    }
    throw new PenpotExportError('export-failed', `the exporter answered ${res.status}${code ? ` ${code}` : ''}${hint ? ` (${truncate(hint, 160)})` : ''}: see penpot-exporter logs`, { status: res.status });
  }

  /** GET the caller's base URL + the path of `:uri` (never its host: that is the public URI's origin). */
  private async download(cookie: string, uri: string): Promise<Buffer> {
    const path = pathOf(uri);
    const res = await this.send(path, { method: 'GET', headers: { cookie: `${SESSION_COOKIE}=${cookie}` }, redirect: 'manual' }, 'download');
    if (res.status === 401) { await discard(res); throw new SessionRefused(); }
    if (res.status === 404) {
      await discard(res);
      throw new PenpotExportError('download-expired', `${path} answered 404: the rendered file expired (kept ~10 minutes; export again) or the frontend cannot see the assets volume at /opt/data/assets`, { status: 404 });
    }
    if (res.status === 204 || (res.status >= 300 && res.status < 400)) {
      await discard(res);
      throw new PenpotExportError('download-failed', `${path} answered ${res.status} with no image: that is the backend's X-Accel-Redirect/S3 answer, which only the frontend's nginx completes; use the frontend's URL, not the backend's`, { status: res.status });
    }
    if (res.status !== 200) {
      await discard(res);
      throw new PenpotExportError('download-failed', `${path} answered ${res.status}`, { status: res.status });
    }
    let bytes: Buffer;
    try {
      bytes = Buffer.from(await res.arrayBuffer());
    } catch (e) {
      throw new PenpotExportError('download-failed', `the transfer of ${path} was cut before the end: retry`, { status: 200, action: 'retry-later', cause: e });
    }
    if (bytes.length === 0) throw new PenpotExportError('download-failed', `${path} answered 200 with an empty body`, { status: 200 });
    return bytes;
  }

  private async send(path: string, init: RequestInit, what: string, timeoutMs = this.requestTimeoutMs): Promise<Response> {
    try {
      return await this.fetchImpl(`${this.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      const reason = networkReason(e);
      if (what === 'export' && reason === 'timeout') {
        throw new PenpotExportError('render-timeout', `no answer to /api/export within ${Math.round(timeoutMs / 1000)} s: retry later; if it persists see penpot-exporter logs`, { cause: e });
      }
      throw new PenpotExportError('penpot-unreachable', `cannot reach ${this.baseUrl} (${what}: ${reason}): check the URL and that penpot-frontend is running`, { cause: e });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Small pure helpers.

function toFrame(o: Json): Frame {
  return {
    id: String(o.id),
    name: typeof o.name === 'string' ? o.name : '',
    type: typeof o.type === 'string' ? o.type : 'unknown',
    width: Number(o.width ?? o.selrect?.width ?? 0),
    height: Number(o.height ?? o.selrect?.height ?? 0),
    ...(typeof o.parentId === 'string' ? { parentId: o.parentId } : {}),
  };
}

/** The value of the `auth-token` cookie set by a login answer. */
export function sessionCookie(res: Response): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === SESSION_COOKIE) return pair.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** The path (and query) of the exporter's `:uri`; its origin is the public URI, which the caller may not reach. */
export function pathOf(uri: string): string {
  try {
    const u = new URL(uri);
    return `${u.pathname}${u.search}`;
  } catch {
    return uri.startsWith('/') ? uri : `/${uri}`;
  }
}

/** Transit (verbose or not) to plain values: keywords and uuids become strings, maps objects, tagged URIs their text. */
export function decodeTransit(text: string): Json {
  if (!text) return undefined;
  let value: unknown;
  try {
    value = transit.reader('json', { handlers: { uri: (rep: unknown) => String(rep), r: (rep: unknown) => String(rep) } }).read(text);
  } catch {
    return undefined;
  }
  return plain(value);
}

function plain(v: any): Json {
  if (v === null || v === undefined || typeof v !== 'object') return v;
  const m = v as { forEach(fn: (value: unknown, key: unknown) => void): void };
  if (transit.isKeyword(v)) return v.name();
  if (transit.isUUID(v) || transit.isURI(v)) return String(v);
  if (transit.isTaggedValue(v)) return v.rep;
  if (transit.isMap(v)) {
    const out: Record<string, Json> = {};
    m.forEach((value: unknown, key: unknown) => { out[String(plain(key))] = plain(value); });
    return out;
  }
  if (Array.isArray(v) || transit.isList(v) || transit.isSet(v)) return [...v].map(plain);
  return v;
}

/** Width and height from a PNG's IHDR chunk, or undefined when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || !signature.every((b, i) => bytes[i] === b)) return undefined;
  if (String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]) !== 'IHDR') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** Why the bytes are not a well-formed SVG document, or undefined when they are. */
export function svgProblem(bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes).toString('utf8');
  let root: string | undefined;
  try {
    const doc = new DOMParser({ onError: (level, message) => { if (level !== 'warning') throw new Error(message); } })
      .parseFromString(text, 'image/svg+xml');
    root = doc.documentElement?.localName ?? undefined;
  } catch (e) {
    return `not well-formed XML (${truncate(String((e as Error).message ?? e), 120)})`;
  }
  if (root !== 'svg') return `the root element is ${root ? `<${root}>` : 'missing'}, not <svg>`;
  return undefined;
}

function describeBytes(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 16)).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `${bytes.length} bytes starting "${head}"`;
}

function networkReason(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: string; name?: string } };
  if (err?.name === 'TimeoutError' || err?.cause?.name === 'TimeoutError') return 'timeout';
  return err?.cause?.code ?? err?.name ?? 'network error';
}

async function readText(res: Response, what: string): Promise<string> {
  try {
    return await res.text();
  } catch (e) {
    throw new PenpotExportError('penpot-unreachable', `the answer to ${what} was cut`, { status: res.status, cause: e });
  }
}

async function readJson(res: Response): Promise<Json> {
  const text = await readText(res, 'the request');
  if (!(res.headers.get('content-type') ?? '').includes('json')) return undefined;
  try { return JSON.parse(text); } catch { return undefined; }
}

async function discard(res: Response): Promise<void> {
  try { await res.arrayBuffer(); } catch { /* the status is what matters */ }
}

function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
