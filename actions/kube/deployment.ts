// Where a generic Kubernetes step acts, as selectors of the app's resources.
import type { Select } from '../select.ts';

/** A deployment: the kubeconfig context of its cluster, its namespace and its name. */
export interface DeploymentRef<R> {
  context: Select<R, string>;
  namespace: Select<R, string>;
  name: Select<R, string>;
}
