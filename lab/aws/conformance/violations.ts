// What the conformance check reports: where a message departs from the AWS service model.

export interface Violation {
  /** e.g. 'rds.FailoverGlobalCluster', or the method and path when no operation matched. */
  operation: string;
  /** Which message: what the client sent, or what the lab answered. */
  message: 'request' | 'response' | 'error';
  /** Member path inside the message, e.g. 'GlobalClusters[0].GlobalClusterMembers[1].Readers'. */
  path: string;
  problem: string;
}

/** Collects the violations of one message; values are never quoted unless enum members (secrets stay out). */
export class Findings {
  readonly list: Violation[] = [];
  constructor(
    readonly operation: string,
    readonly message: Violation['message'],
  ) {}
  add(path: string, problem: string): void {
    this.list.push({ operation: this.operation, message: this.message, path: path || '(root)', problem });
  }
}
