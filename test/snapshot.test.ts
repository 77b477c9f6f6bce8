import { resolveEnvironments } from '../lib/config/resolve';
import { ENVIRONMENTS } from '../lib/environments';
import { synthesizeEnvironment } from '../lib/synth';

// One snapshot per environment: a reviewer sees every manifest change in the snapshot diff.
describe.each(resolveEnvironments(ENVIRONMENTS).map((env) => [env.name, env] as const))('environment %s', (_name, env) => {
  test('synthesizes the same files as the snapshot', () => {
    const files = Object.fromEntries(synthesizeEnvironment(env).map((f) => [f.path, f.content]));
    expect(files).toMatchSnapshot();
  });
});
