// k6 script of the drill's background load (run by probes/k6.ts with `k6 run`; typed with @types/k6).
// Settings come from the environment: TARGET_URL (full URL), RATE (req/s), DURATION, VUS.
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';

const rate = Number(__ENV.RATE || 20);
const vus = Number(__ENV.VUS || 16);

export const options: Options = {
  scenarios: {
    drill: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: __ENV.DURATION || '2h',
      preAllocatedVUs: vus,
      maxVUs: vus * 4,
    },
  },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(95)', 'p(99)'],
  discardResponseBodies: true,
};

export default function (): void {
  const res = http.get(__ENV.TARGET_URL as string, { timeout: __ENV.TIMEOUT || '2s' });
  check(res, { 'status is 2xx': (r) => r.status >= 200 && r.status < 300 });
}
