/**
 * Self-test of a live export path: as the service account, create a scratch file with one board
 * through the RPC API, export it as PNG and SVG, check the bytes, delete the file. It proves the
 * exporter settings end to end (shared secret key, internal URI, Chromium, assets ownership).
 *
 * RPC shapes, from penpot/penpot at tag 2.17.0:
 * - `create-file` (backend/src/app/rpc/commands/files_create.clj, schema:create-file): `name`
 *   (<= 250 chars), `project-id`; creates one page (`create-page` defaults to true) and answers the
 *   file (`bfc/get-file`) with `data.pages`, `revn`, `vern`.
 * - `update-file` (files_update.clj, schema:update-file): `id`, `session-id`, `revn`, `vern` (must
 *   equal the file's, else `vern-conflict`), `changes`; an `add-obj` change (common/src/app/common/
 *   files/changes.cljc) carries `id`, `page-id`, `frame-id`, `parent-id`, `obj`; a shape needs at
 *   least the base attrs of common/src/app/common/types/shape.cljc schema:shape-base-attrs (`id`,
 *   `name`, `type`, `selrect`, `points`, `transform`, `transform-inverse`, `parent-id`, `frame-id`)
 *   and the geometry attrs (`x`, `y`, `width`, `height`).
 * - `delete-file` (files.clj): `id`.
 * JSON bodies are read with kebab-case keys (backend/src/app/http/middleware.clj `read-kebab-key`)
 * and decoded by each command's schema (rpc.clj `sm/json-transformer`), so camelCase JSON works.
 */
import * as crypto from 'node:crypto';
import { PenpotClient, PenpotExportError, ZERO_UUID } from './client';

export const SELF_TEST_BOARD = { name: 'export self-test board', width: 160, height: 90 } as const;

/** A board shape with the attributes Penpot 2.17's shape schema requires. */
export function boardShape(id: string, size: { name: string; width: number; height: number }): Record<string, unknown> {
  const { width: w, height: h } = size;
  const identity = { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 };
  return {
    id, name: size.name, type: 'frame',
    x: 0, y: 0, width: w, height: h, rotation: 0,
    selrect: { x: 0, y: 0, width: w, height: h, x1: 0, y1: 0, x2: w, y2: h },
    points: [{ x: 0, y: 0 }, { x: w, y: 0 }, { x: w, y: h }, { x: 0, y: h }],
    transform: identity, transformInverse: identity,
    parentId: ZERO_UUID, frameId: ZERO_UUID,
    proportion: w / h, proportionLock: false,
    fills: [{ fillColor: '#E8F0FE', fillOpacity: 1 }], strokes: [], shapes: [],
  };
}

/** Runs the self-test; returns the report lines; throws PenpotExportError on the first failure (after cleaning up). */
export async function runSelfTest(client: PenpotClient, now: () => Date = () => new Date()): Promise<string[]> {
  const report: string[] = [];
  const profile = await client.profile();
  report.push(`ok login: ${profile.email ?? profile.id} (profile ${profile.id})`);
  if (!profile.defaultProjectId) {
    throw new PenpotExportError('auth-failed', 'the service account\'s profile has no default project (get-profile answered no defaultProjectId)');
  }
  const file = await client.command('create-file', { name: `export-self-test ${now().toISOString()}`, projectId: profile.defaultProjectId });
  const fileId: string | undefined = file?.id;
  const pageId: string | undefined = file?.data?.pages?.[0];
  if (!fileId) throw new PenpotExportError('export-failed', 'create-file answered without a file id');
  report.push(`ok created scratch file ${fileId}`);
  let failure: unknown;
  try {
    if (!pageId) throw new PenpotExportError('export-failed', `create-file answered file ${fileId} without a page`);
    const boardId = crypto.randomUUID();
    await client.command('update-file', {
      id: fileId, sessionId: crypto.randomUUID(), revn: file.revn ?? 0, vern: file.vern ?? 0,
      changes: [{ type: 'add-obj', id: boardId, pageId, frameId: ZERO_UUID, parentId: ZERO_UUID, obj: boardShape(boardId, SELF_TEST_BOARD) }],
    });
    report.push(`ok added board ${boardId} (${SELF_TEST_BOARD.width}x${SELF_TEST_BOARD.height})`);

    const png = await client.exportFrame({ fileId, pageId, objectId: boardId, format: 'png', scale: 1 });
    // The exporter renders the board at its size times the scale (a pixel of rounding allowed).
    if (Math.abs(png.width - SELF_TEST_BOARD.width) > 1 || Math.abs(png.height - SELF_TEST_BOARD.height) > 1) {
      throw new PenpotExportError('export-failed', `the PNG is ${png.width}x${png.height}, expected the board's ${SELF_TEST_BOARD.width}x${SELF_TEST_BOARD.height}`);
    }
    report.push(`ok png: PNG signature, ${png.width}x${png.height}, ${png.bytes.length} bytes`);
    const svg = await client.exportFrame({ fileId, pageId, objectId: boardId, format: 'svg' });
    report.push(`ok svg: well-formed <svg>, ${svg.bytes.length} bytes`);
  } catch (e) {
    failure = e;
  }
  try {
    await client.command('delete-file', { id: fileId });
    report.push(`ok deleted scratch file ${fileId}`);
  } catch (e) {
    // The export's failure is the news; a failed cleanup only adds to it.
    if (!failure) failure = e;
  }
  if (failure) throw failure;
  return report;
}
