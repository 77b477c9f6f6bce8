import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { applicationName } from './app-of-apps-chart';
import { ArgoApplication } from './argo-application';
import { ArgoConfig } from './config/types';
import { systemLabels } from './labels';

export interface RootApplicationChartProps {
  readonly environment: string;
  readonly argo: ArgoConfig;
  /** Folder holding the child Applications, e.g. `dist/homelab/apps`. */
  readonly appsPath: string;
}

/**
 * The one Application registered by hand (`kubectl apply -f`): it syncs the folder of child
 * Applications, which in turn sync the apps. It lives outside every synced folder.
 */
export class RootApplicationChart extends Chart {
  constructor(scope: Construct, id: string, props: RootApplicationChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    new ArgoApplication(this, 'root', {
      name: applicationName(props.environment, 'root'),
      argo: props.argo,
      path: props.appsPath,
      destinationNamespace: props.argo.namespace,
      labels: systemLabels('gitops'),
    });
  }
}
