import { EnvironmentInput } from '../config/types';
import { example } from './example';
import { homelab } from './homelab';
import { k3s } from './k3s';
import { k0sDev } from './k0s-dev';
import { openshift } from './openshift';

/** Every environment synthesized into `dist/<name>/`. Add yours here. */
export const ENVIRONMENTS: readonly EnvironmentInput[] = [homelab, example, k0sDev, openshift, k3s];
