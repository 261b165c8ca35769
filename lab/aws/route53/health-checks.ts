// Route 53 health checks that really probe their endpoint every interval, with a failure threshold,
// Inverted and Disabled applied as AWS does (Disabled alone counts as healthy).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { AwsError } from '../protocol/errors.ts';

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
}

export interface HealthCheck {
  id: string;
  callerReference: string;
  config: HealthCheckConfig;
  version: number;
  /** What the checkers observe, before Disabled/Inverted. */
  observedHealthy: boolean;
  lastReport: { status: string; checkedAt: Date } | undefined;
}

interface ProbeResult {
  ok: boolean;
  report: string;
}

const PROBED_TYPES = new Set(['HTTP', 'HTTPS', 'TCP']);

export class HealthCheckers {
  private readonly checks = new Map<string, HealthCheck>();
  private readonly streaks = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private readonly intervalMs: number;
  private readonly onChange: (check: HealthCheck) => void;

  constructor(opts: { intervalMs: number; onChange?: (check: HealthCheck) => void }) {
    this.intervalMs = opts.intervalMs;
    this.onChange = opts.onChange ?? (() => {});
  }

  start(): void {
    this.timer ??= setInterval(() => void this.probeAll(), this.intervalMs);
    void this.probeAll();
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
    const check: HealthCheck = {
      id,
      callerReference,
      config,
      version: 1,
      observedHealthy: true,
      lastReport: undefined,
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
    const before = this.isHealthy(id);
    check.config = { ...check.config, ...patch };
    check.version += 1;
    if (this.isHealthy(id) !== before) this.onChange(check);
    return check;
  }

  /** The status Route 53 routes on: Disabled counts as healthy; Inverted flips the result. */
  isHealthy(id: string): boolean {
    const check = this.get(id);
    const base = check.config.Disabled ? true : check.observedHealthy;
    return check.config.Inverted ? !base : base;
  }

  private async probeAll(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      const active = this.list().filter((check) => !check.config.Disabled);
      await Promise.all(active.map((check) => this.probeOne(check)));
    } finally {
      this.probing = false;
    }
  }

  private async probeOne(check: HealthCheck): Promise<void> {
    // Longer than the app's own 1 s database check, so a slow machine does not fail a region over by itself.
    const result = await probe(check.config, Math.max(100, Math.min(3000, 3 * this.intervalMs)));
    if (!this.checks.has(check.id)) return;
    check.lastReport = { status: result.report, checkedAt: new Date() };
    // A streak counts consecutive results that disagree with the current observed status.
    if (result.ok === check.observedHealthy) {
      this.streaks.set(check.id, 0);
      return;
    }
    const streak = (this.streaks.get(check.id) ?? 0) + 1;
    this.streaks.set(check.id, streak);
    if (streak >= check.config.FailureThreshold) {
      const before = this.isHealthy(check.id);
      check.observedHealthy = result.ok;
      this.streaks.set(check.id, 0);
      if (this.isHealthy(check.id) !== before) this.onChange(check);
    }
  }
}

function probe(config: HealthCheckConfig, timeoutMs: number): Promise<ProbeResult> {
  const host = config.IPAddress ?? (config.FullyQualifiedDomainName as string);
  const port = config.Port ?? (config.Type === 'HTTPS' ? 443 : 80);
  if (config.Type === 'TCP') return probeTcp(host, port, timeoutMs);
  return new Promise((resolve) => {
    const send = config.Type === 'HTTPS' ? httpsRequest : httpRequest;
    const req = send(
      {
        host,
        port,
        path: config.ResourcePath ?? '/',
        method: 'GET',
        agent: false,
        timeout: timeoutMs,
        headers: { 'user-agent': 'Amazon-Route53-Health-Check-Service (lab)' },
        rejectUnauthorized: false,
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        const ok = code >= 200 && code < 400;
        resolve({
          ok,
          report:
            `${ok ? 'Success' : 'Failure'}: HTTP Status Code ${code}, ${res.statusMessage ?? ''}`.trim(),
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Connection timed out after ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ ok: false, report: `Failure: ${error.message}` }));
    req.end();
  });
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs }, () => {
      socket.destroy();
      resolve({ ok: true, report: 'Success: TCP connection established' });
    });
    socket.on('timeout', () => socket.destroy(new Error(`Connection timed out after ${timeoutMs} ms`)));
    socket.on('error', (error) => resolve({ ok: false, report: `Failure: ${error.message}` }));
  });
}
