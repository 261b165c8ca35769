// The model's plain values: durations, runbook references, JSON and the calls a plan lists. They depend on nothing,
// so the safety and preflight types use them without importing the model (core/model.ts re-exports them).

/** A duration as text: "250ms", "5m", "300s", "1h30m", "PT5M". Parsed by core/duration.ts. */
export type Duration = string;

/** A runbook section reference such as "§6.1". */
export type RunbookRef = `§${string}`;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One call a step would make, listed by `--dry-run` and checked against permissions. */
export interface PlannedCall {
  /** e.g. "rds", "route53", "fis", "secretsmanager", "cloudwatch", "sts", "kubernetes". */
  service: string;
  /** e.g. "FailoverGlobalCluster", "patch deployment/luneo-api". */
  operation: string;
  /** Where: AWS region or kube context. */
  scope?: string;
  params?: Record<string, JsonValue>;
  mutating: boolean;
}
