import { App } from 'cdk8s';
import type { EnvironmentConfig } from '../config/types';
import type { PlatformApp } from '../platform';
import { GatewayChart } from './gateway-chart';
import { RoutedHost } from './routed-host';
import { routingOf } from './routing';

/**
 * The apps routing adds to an environment: the `gateway` app when the project creates the
 * Gateway. Called after every other app exists, so the Gateway admits all their routed hosts.
 */
export function routingApps(app: App, env: EnvironmentConfig): PlatformApp[] {
  const routing = routingOf(env);
  if (!routing.gateway?.create) return [];
  const chart = new GatewayChart(app, 'gateway', { routing, hosts: RoutedHost.findAll(app) });
  return [{ name: 'gateway', chart, destinationNamespace: chart.appNamespace }];
}
