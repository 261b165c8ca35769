// Route 53 health checks probed by independent checkers in several regions, each with its own failure
// threshold; Route 53 combines their reports (> 18 % healthy) and then applies Disabled and Inverted.
import { AwsError } from '../protocol/errors.ts';
import {
  checkerAddresses,
  endpointHealthy,
  HEALTH_CHECKER_REGIONS,
  type HealthCheckerRegion,
  isHealthCheckerRegion,
  routingHealthy,
} from './checkers.ts';
import type { HealthCheckConfig } from './health-check-config.ts';
import { type ProbeResult, probe } from './probe.ts';

export interface Checker {
  region: HealthCheckerRegion;
  ipAddress: string;
  /** This checker's own verdict: it changes after FailureThreshold consecutive results that disagree with it. */
  healthy: boolean;
  streak: number;
  /** Its last raw result, as GetHealthCheckStatus reports it (never inverted). */
  lastReport: { status: string; checkedAt: Date } | undefined;
  nextProbeAt: number;
  busy: boolean;
}

export interface HealthCheck {
  id: string;
  callerReference: string;
  config: HealthCheckConfig;
  version: number;
  checkers: Checker[];
}

const PROBED_TYPES = new Set(['HTTP', 'HTTPS', 'TCP']);
// botocore route53 HealthCheckRegionList: min 3.
const MIN_REGIONS = 3;
const UNREACHABLE: ProbeResult = {
  ok: false,
  report:
    'Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall.',
};

export class HealthCheckers {
  private readonly checks = new Map<string, HealthCheck>();
  private readonly unreachableFrom = new Set<string>();
  private readonly inFlight = new Map<string, Promise<ProbeResult>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;
  private readonly onChange: (check: HealthCheck) => void;

  constructor(opts: { intervalMs: number; onChange?: (check: HealthCheck) => void }) {
    this.intervalMs = opts.intervalMs;
    this.onChange = opts.onChange ?? (() => {});
  }

  start(): void {
    // Checkers do not coordinate (Route 53 DG, same page): each probes once per interval at its own phase.
    this.timer ??= setInterval(() => this.probeDue(), Math.max(1, this.intervalMs / 16));
    this.probeDue();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  create(callerReference: string, config: HealthCheckConfig, id = crypto.randomUUID()): HealthCheck {
    if (!PROBED_TYPES.has(config.Type)) {
      throw new AwsError(
        'InvalidInput',
        400,
        `Health check type ${config.Type} is not supported by the lab (use HTTP, HTTPS or TCP).`,
      );
    }
    if (!config.IPAddress && !config.FullyQualifiedDomainName) {
      throw new AwsError('InvalidInput', 400, 'A health check needs IPAddress or FullyQualifiedDomainName.');
    }
    checkLimits(config);
    const check: HealthCheck = {
      id,
      callerReference,
      config,
      version: 1,
      checkers: this.checkersFor(config.Regions, []),
    };
    this.checks.set(id, check);
    return check;
  }

  byCallerReference(reference: string): HealthCheck | undefined {
    return [...this.checks.values()].find((check) => check.callerReference === reference);
  }

  get(id: string): HealthCheck {
    const check = this.checks.get(id);
    if (!check) throw new AwsError('NoSuchHealthCheck', 404, `A health check with id ${id} does not exist.`);
    return check;
  }

  has(id: string): boolean {
    return this.checks.has(id);
  }

  list(): HealthCheck[] {
    return [...this.checks.values()];
  }

  delete(id: string): void {
    this.get(id);
    this.checks.delete(id);
  }

  /** UpdateHealthCheck: optimistic concurrency on HealthCheckVersion, then bump the version. */
  update(id: string, expectedVersion: number | undefined, patch: Partial<HealthCheckConfig>): HealthCheck {
    const check = this.get(id);
    if (expectedVersion !== undefined && expectedVersion !== check.version) {
      throw new AwsError(
        'HealthCheckVersionMismatch',
        409,
        `The value of HealthCheckVersion (${expectedVersion}) does not match the current version (${check.version}) of health check ${id}: get the health check again and retry with its current HealthCheckVersion.`,
      );
    }
    checkLimits({ ...check.config, ...patch });
    const before = this.isHealthy(id);
    if (patch.Regions) check.checkers = this.checkersFor(patch.Regions, check.checkers);
    check.config = { ...check.config, ...patch };
    check.version += 1;
    if (this.isHealthy(id) !== before) this.onChange(check);
    return check;
  }

  /** Share of checkers that report the endpoint healthy, in percent (CloudWatch HealthCheckPercentageHealthy). */
  percentHealthy(id: string): number {
    const { checkers } = this.get(id);
    return (100 * checkers.filter((c) => c.healthy).length) / checkers.length;
  }

  /** The status Route 53 routes on: the checkers combined, then Disabled and Inverted applied. */
  isHealthy(id: string): boolean {
    const check = this.get(id);
    const healthy = check.checkers.filter((c) => c.healthy).length;
    return routingHealthy(endpointHealthy(healthy, check.checkers.length), check.config);
  }

  /** A network fault between the endpoints and the checkers of these regions (they time out); [] heals it. */
  setUnreachableFrom(regions: readonly string[]): void {
    this.unreachableFrom.clear();
    for (const region of regions) this.unreachableFrom.add(region);
  }

  private checkersFor(regions: string[] | undefined, current: Checker[]): Checker[] {
    const wanted = regions ?? [...HEALTH_CHECKER_REGIONS];
    const unknown = wanted.filter((r) => !isHealthCheckerRegion(r));
    if (unknown.length > 0 || new Set(wanted).size < MIN_REGIONS) {
      throw new AwsError(
        'InvalidInput',
        400,
        `Regions must name at least ${MIN_REGIONS} of ${HEALTH_CHECKER_REGIONS.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}.`,
      );
    }
    const addresses = checkerAddresses([...new Set(wanted)] as HealthCheckerRegion[]);
    const now = Date.now();
    return addresses.map((address, i) => {
      const kept = current.find((c) => c.ipAddress === address.ipAddress);
      // Route 53 DG: a new health check counts as healthy until there is enough data.
      return (
        kept ?? {
          ...address,
          healthy: true,
          streak: 0,
          lastReport: undefined,
          nextProbeAt: now + (i * this.intervalMs) / addresses.length,
          busy: false,
        }
      );
    });
  }

  private probeDue(): void {
    const now = Date.now();
    for (const check of this.checks.values()) {
      // HealthCheckConfig.Disabled (API reference): Route 53 stops sending requests to the endpoint.
      if (check.config.Disabled) continue;
      for (const checker of check.checkers) {
        if (checker.busy || checker.nextProbeAt > now) continue;
        checker.nextProbeAt = Math.max(checker.nextProbeAt + this.intervalMs, now);
        void this.probeOne(check, checker);
      }
    }
  }

  /** A lab economy, not AWS behaviour: checkers whose turn comes while a request to the same endpoint is in
   *  flight take its result (on one machine they would see the same thing), so the endpoint gets fewer requests
   *  than from AWS's checkers; each checker keeps its own report, time and threshold. */
  private shared(check: HealthCheck, timeoutMs: number): Promise<ProbeResult> {
    const c = check.config;
    const key = `${c.Type} ${c.IPAddress ?? c.FullyQualifiedDomainName}:${c.Port} ${c.ResourcePath ?? '/'}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = probe(c, timeoutMs).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async probeOne(check: HealthCheck, checker: Checker): Promise<void> {
    checker.busy = true;
    const checkedAt = new Date();
    // Longer than the app's own 1 s database check, so a slow machine does not fail a region over by itself.
    const timeoutMs = Math.max(100, Math.min(3000, 3 * this.intervalMs));
    const result = this.unreachableFrom.has(checker.region)
      ? UNREACHABLE
      : await this.shared(check, timeoutMs);
    checker.busy = false;
    if (this.checks.get(check.id) !== check || !check.checkers.includes(checker)) return;
    checker.lastReport = { status: result.report, checkedAt };
    if (result.ok === checker.healthy) {
      checker.streak = 0;
      return;
    }
    checker.streak += 1;
    if (checker.streak < check.config.FailureThreshold) return;
    const before = this.isHealthy(check.id);
    checker.healthy = result.ok;
    checker.streak = 0;
    if (this.isHealthy(check.id) !== before) this.onChange(check);
  }
}

/** botocore route53 shapes FailureThreshold (1–10) and RequestInterval (10–30; the DG offers 10 or 30). */
function checkLimits(config: HealthCheckConfig): void {
  const { FailureThreshold: threshold, RequestInterval: interval } = config;
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > 10)
    throw new AwsError('InvalidInput', 400, `FailureThreshold must be between 1 and 10, got ${threshold}.`);
  if (interval !== 10 && interval !== 30)
    throw new AwsError('InvalidInput', 400, `RequestInterval must be 10 or 30, got ${interval}.`);
}
