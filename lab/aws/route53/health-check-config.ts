// A health check's configuration (CreateHealthCheck HealthCheckConfig, Route 53 API reference): shared by the
// checks and the checkers' probe.
export interface HealthCheckConfig {
  Type: string;
  IPAddress?: string;
  Port?: number;
  ResourcePath?: string;
  FullyQualifiedDomainName?: string;
  RequestInterval: number;
  FailureThreshold: number;
  Inverted: boolean;
  Disabled: boolean;
  /** Where the checkers are; absent: every region (HealthCheckConfig.Regions, API reference). */
  Regions?: string[];
}
