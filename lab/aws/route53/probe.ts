// One health checker's request to an endpoint: HTTP(S) wants a 2xx/3xx answer, TCP a connection.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { HealthCheckConfig } from './health-check-config.ts';

export interface ProbeResult {
  ok: boolean;
  /** StatusReport.Status as GetHealthCheckStatus shows it ("Success: …" / "Failure: …"). */
  report: string;
}

/** Route 53 DG "How Amazon Route 53 determines whether a health check is healthy": HTTP(S) passes on a status
 *  code of 200 or more and less than 400; HTTPS does not validate the certificate. */
export function probe(config: HealthCheckConfig, timeoutMs: number): Promise<ProbeResult> {
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
