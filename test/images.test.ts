import { parseImageRef, resolveImage, unpinnedReason } from '../lib/images';

describe('image references', () => {
  test('short Docker Hub names are qualified with docker.io/library', () => {
    expect(resolveImage('postgres:15', {})).toBe('docker.io/library/postgres:15');
  });

  test('a registry with a port is kept as the registry', () => {
    expect(parseImageRef('registry.test.internal:5000/team/app:1.2')).toEqual({ registry: 'registry.test.internal:5000', repository: 'team/app', tag: '1.2', digest: undefined });
  });

  test('a mirror replaces the registry and keeps the repository path', () => {
    expect(resolveImage('quay.io/containers/kubernetes_mcp_server:v0.0.67', { 'quay.io': 'harbor.test.internal/quay' }))
      .toBe('harbor.test.internal/quay/containers/kubernetes_mcp_server:v0.0.67');
  });

  test('a mirror of another registry leaves the image alone', () => {
    expect(resolveImage('ghcr.io/org/app:1.0', { 'docker.io': 'harbor.test.internal/dockerhub' })).toBe('ghcr.io/org/app:1.0');
  });

  test('missing and latest tags are not pinned; digests are', () => {
    expect(unpinnedReason(parseImageRef('valkey/valkey') as any)).toMatch(/no tag/);
    expect(unpinnedReason(parseImageRef('valkey/valkey:latest') as any)).toMatch(/latest/);
    expect(unpinnedReason(parseImageRef(`valkey/valkey@sha256:${'a'.repeat(64)}`) as any)).toBeUndefined();
  });

  test('malformed references are reported, not thrown', () => {
    expect(parseImageRef('Bad/Repo:1')).toMatch(/invalid repository/);
    expect(parseImageRef('repo:bad tag')).toMatch(/invalid tag|without spaces/);
  });
});
