import { EnvironmentInput } from '../config/types';
import { example } from './example';
import { homelab } from './homelab';

/** Every environment synthesized into `dist/<name>/`. Add yours here. */
export const ENVIRONMENTS: readonly EnvironmentInput[] = [homelab, example];
