/**
 * The Penpot export client against the stand-in of Penpot 2.17's HTTP surface
 * (test/support/penpot-stand-in.ts: a stand-in, not Penpot; see its header for the facts it reproduces).
 */
import {
  EXPORT_ERROR_CODES, PenpotClient, PenpotExportError, TRANSIT_CONTENT_TYPE, ZERO_UUID, decodeTransit, pathOf, pngSize, svgProblem, uploadFailureHint,
} from '../lib/penpot/export/client';
import { PenpotStandIn, StandInFailure, TEMPFILE_TTL_MS, makePng } from './support/penpot-stand-in';

const EMAIL = 'export-bot@example.internal';
const PASSWORD = 'correct horse battery staple';

let penpot: PenpotStandIn;
let ids: ReturnType<PenpotStandIn['addFile']>;

beforeEach(async () => {
  penpot = new PenpotStandIn();
  const account = penpot.addAccount(EMAIL, PASSWORD);
  ids = penpot.addFile([account], { name: 'Dashboard', width: 320, height: 200 });
  await penpot.start();
});
afterEach(() => penpot.stop());

const client = (password = PASSWORD) => new PenpotClient({ baseUrl: penpot.url, email: EMAIL, password });
const png = (scale = 1) => client().exportFrame({ fileId: ids.fileId, pageId: ids.pageId, objectId: ids.frameId, format: 'png', scale });

async function failure(promise: Promise<unknown>): Promise<PenpotExportError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof PenpotExportError) return e;
    throw e;
  }
  throw new Error('expected a PenpotExportError');
}

describe('success', () => {
  test('PNG export returns the image bytes with the dimensions from the PNG header (frame x scale)', async () => {
    const image = await png(2);
    expect(image.mimeType).toBe('image/png');
    expect([image.width, image.height]).toEqual([640, 400]);
    expect(image.bytes.subarray(0, 8)).toEqual(makePng(1, 1).subarray(0, 8));
  });

  test('SVG export returns a well-formed SVG with the frame size', async () => {
    const image = await client().exportFrame({ fileId: ids.fileId, pageId: ids.pageId, objectId: ids.frameId, format: 'svg' });
    expect(image.mimeType).toBe('image/svg+xml');
    expect(svgProblem(image.bytes)).toBeUndefined();
    expect([image.width, image.height]).toEqual([320, 200]);
  });

  test('the export request is transit with exactly application/transit+json and the session only as a cookie', async () => {
    await png();
    const exportCall = penpot.requests.find((r) => r.path === '/api/export')!;
    expect(exportCall.headers['content-type']).toBe(TRANSIT_CONTENT_TYPE);
    expect(exportCall.headers.cookie).toMatch(/^auth-token=[^;]+$/);
    expect(exportCall.headers.authorization).toBeUndefined();
    const body = decodeTransit(exportCall.body);
    expect(body).toMatchObject({ cmd: 'export-shapes', wait: true, 'is-wasm': false });
    expect(body.exports[0]).toMatchObject({ 'file-id': ids.fileId, 'object-id': ids.frameId, type: 'png', scale: 1, name: 'Dashboard' });
  });

  test('the download uses the client\'s base URL and only the path of the exporter\'s :uri', async () => {
    await png();
    const download = penpot.requests.find((r) => r.path.startsWith('/assets/by-id/'))!;
    expect(download.headers.host).toBe(new URL(penpot.url).host);
    expect(penpot.publicUri).not.toContain(new URL(penpot.url).host);
  });

  test('list of frames: top-level boards only (not the root, not children)', async () => {
    const frames = await client().listFrames(ids.fileId, ids.pageId);
    expect(frames).toEqual([{ id: ids.frameId, name: 'Dashboard', type: 'frame', width: 320, height: 200, parentId: ZERO_UUID }]);
  });

  test('one login serves several calls; an expired session is replaced by one re-login', async () => {
    const c = client();
    await c.listFrames(ids.fileId, ids.pageId);
    await c.listFrames(ids.fileId, ids.pageId);
    const logins = () => penpot.requests.filter((r) => r.path.endsWith('/login-with-password')).length;
    expect(logins()).toBe(1);
    penpot.expireSessions();
    await c.exportFrame({ fileId: ids.fileId, pageId: ids.pageId, objectId: ids.frameId });
    expect(logins()).toBe(2);
  });
});

describe('every failure is a typed error with a stable code and a one-line hint', () => {
  const cases: Array<[StandInFailure, string, RegExp]> = [
    ['exporter-502', 'exporter-unavailable', /is penpot-exporter running\? see its logs/],
    ['exporter-504', 'exporter-unavailable', /300 s/],
    ['upload-403', 'unable-to-upload-resource', /PENPOT_SECRET_KEY differs between penpot-backend and penpot-exporter/],
    ['upload-500', 'unable-to-upload-resource', /not writable by UID 1001/],
    ['upload-404', 'unable-to-upload-resource', /PENPOT_INTERNAL_URI/],
    ['exporter-timeout', 'render-timeout', /retry later/],
    ['playwright-timeout', 'render-timeout', /retry later/],
    ['cut-transfer', 'download-failed', /cut/],
    ['empty-204', 'download-failed', /204/],
    ['not-an-image', 'download-failed', /not a PNG/],
    ['no-assets-volume', 'download-expired', /assets volume/],
    ['login-disabled', 'auth-failed', /enable-login-with-password/],
    ['backend-502', 'penpot-unreachable', /penpot-backend/],
  ];
  test.each(cases)('%s -> %s', async (switchName, code, hint) => {
    penpot.fail(switchName);
    const e = await failure(png());
    expect(e.code).toBe(code);
    expect(e.hint).toMatch(hint);
    expect(e.hint).not.toMatch(/\n/);
  });

  test('wrong credentials -> auth-failed naming the account, never the password', async () => {
    const e = await failure(client('wrong-password').listFrames(ids.fileId, ids.pageId));
    expect(e.code).toBe('auth-failed');
    expect(e.hint).toContain(EMAIL);
    expect(JSON.stringify(e) + e.message).not.toContain('wrong-password');
  });

  test('a session the backend does not recognise gets the zero-uuid profile (200) -> auth-failed', async () => {
    penpot.fail('sessions-refused');
    const e = await failure(png());
    expect(e.code).toBe('auth-failed');
    expect(e.hint).toMatch(/zero uuid/);
    // The session was fresh: a second login would not help.
    expect(penpot.requests.filter((r) => r.path.endsWith('/login-with-password'))).toHaveLength(1);
  });

  test('a file that does not exist -> not-found (404 object-not-found)', async () => {
    const e = await failure(client().exportFrame({ fileId: crypto.randomUUID(), pageId: ids.pageId, objectId: ids.frameId }));
    expect(e.code).toBe('not-found');
  });

  test('a missing object is a 200 without the object -> not-found', async () => {
    const e = await failure(client().exportFrame({ fileId: ids.fileId, pageId: ids.pageId, objectId: crypto.randomUUID() }));
    expect(e.code).toBe('not-found');
    expect(e.action).toBe('fix-request');
  });

  test('a missing page -> not-found', async () => {
    expect((await failure(client().listFrames(ids.fileId, crypto.randomUUID()))).code).toBe('not-found');
  });

  test('an object that is not a board -> not-a-frame', async () => {
    const e = await failure(client().exportFrame({ fileId: ids.fileId, pageId: ids.pageId, objectId: ids.rectId }));
    expect(e.code).toBe('not-a-frame');
    expect(e.hint).toContain('rect');
  });

  test('a download after the 10-minute tempfile expiry -> download-expired', async () => {
    const c = client();
    // Move the clock between export and download: the first request to /assets moves it.
    const realFetch = globalThis.fetch;
    const late = new PenpotClient({
      baseUrl: penpot.url, email: EMAIL, password: PASSWORD,
      fetch: (input, init) => { if (String(input).includes('/assets/by-id/')) penpot.advance(TEMPFILE_TTL_MS + 1000); return realFetch(input, init); },
    });
    await c.profile();
    const e = await failure(late.exportFrame({ fileId: ids.fileId, pageId: ids.pageId, objectId: ids.frameId }));
    expect(e.code).toBe('download-expired');
  });

  test('nothing listening -> penpot-unreachable', async () => {
    await penpot.stop();
    const e = await failure(client().listFrames(ids.fileId, ids.pageId));
    expect(e.code).toBe('penpot-unreachable');
  });

  test('the hint of unable-to-upload-resource is chosen by the upload\'s response status', () => {
    expect(new Set([403, 500, 404, 413, 418].map(uploadFailureHint)).size).toBe(5);
  });

  test('codes are unique', () => {
    expect(new Set(EXPORT_ERROR_CODES).size).toBe(EXPORT_ERROR_CODES.length);
  });
});

describe('helpers', () => {
  test('pngSize reads IHDR and refuses other bytes', () => {
    expect(pngSize(makePng(7, 3))).toEqual({ width: 7, height: 3 });
    expect(pngSize(Buffer.from('<svg/>'))).toBeUndefined();
  });

  test('svgProblem refuses broken XML and a non-svg root', () => {
    expect(svgProblem(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>'))).toMatch(/well-formed/);
    expect(svgProblem(Buffer.from('<html></html>'))).toMatch(/not <svg>/);
  });

  test('pathOf keeps path and query, drops the origin', () => {
    expect(pathOf('https://penpot.public.invalid/assets/by-id/abc?x=1')).toBe('/assets/by-id/abc?x=1');
  });
});
