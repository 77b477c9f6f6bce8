/**
 * Reads a revision's committed `dist/` with git (the only impure part of the review). Files whose
 * blob hash equals the new synthesis' are not read at all: their content is the new one.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';

export type CommittedDist =
  | { readonly ok: true; readonly files: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly reason: 'no-repository' | 'bad-revision'; readonly message: string };

/** git's object id of a blob with this content. */
export function blobHash(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function git(repoRoot: string, args: readonly string[], input?: string) {
  return spawnSync('git', [...args], { cwd: repoRoot, input, maxBuffer: 256 * 1024 * 1024 });
}

/**
 * Files under `<distDir>/` at `rev` (paths relative to `repoRoot`, e.g. `dist/homelab/penpot/penpot.k8s.yaml`).
 * `current` (same keys) lets unchanged files be recognised by hash without reading them.
 */
export function readCommittedDist(repoRoot: string, rev: string, distDir: string, current: ReadonlyMap<string, string>): CommittedDist {
  const listing = git(repoRoot, ['ls-tree', '-r', '-z', rev, '--', distDir]);
  if (listing.error || listing.status !== 0) {
    const stderr = listing.error ? String(listing.error.message) : listing.stderr.toString('utf8').trim();
    const noRepo = !!listing.error || /not a git repository/i.test(stderr);
    return noRepo
      ? { ok: false, reason: 'no-repository', message: `${repoRoot} is not a Git repository (${stderr.split('\n')[0]})` }
      : { ok: false, reason: 'bad-revision', message: `${JSON.stringify(rev)} is not a revision of this repository (${stderr.split('\n')[0]})` };
  }
  const files = new Map<string, string>();
  const toRead: { path: string; sha: string }[] = [];
  for (const entry of listing.stdout.toString('utf8').split('\0').filter(Boolean)) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (!m) continue;
    const [, sha, file] = m;
    const mine = current.get(file);
    if (mine !== undefined && blobHash(mine) === sha) files.set(file, mine);
    else toRead.push({ path: file, sha });
  }
  if (toRead.length > 0) {
    const r = git(repoRoot, ['cat-file', '--batch'], toRead.map((t) => `${t.sha}\n`).join(''));
    if (r.status !== 0) throw new Error(`git cat-file failed: ${r.stderr.toString('utf8').trim()}`);
    let at = 0;
    const out: Buffer = r.stdout;
    for (const t of toRead) {
      const headerEnd = out.indexOf(0x0a, at);
      const size = Number(out.subarray(at, headerEnd).toString('utf8').split(' ')[2]);
      files.set(t.path, out.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8'));
      at = headerEnd + 1 + size + 1;
    }
  }
  return { ok: true, files };
}
