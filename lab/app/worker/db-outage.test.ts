import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isDatabaseOutage, outageRetryDelay } from './db-outage.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const sqlState = (message: string, code: string) =>
  Object.assign(new pg.DatabaseError(message, 0, 'error'), { code });

describe('isDatabaseOutage', () => {
  it('puts back the connection failures of a database that is down, cut off or failed over', () => {
    const outages = [
      // pg-pool's connect timeout wraps the client's own error (the drill's "attempt 3 failed (final)" case).
      new Error('Connection terminated due to connection timeout', {
        cause: new Error('Connection terminated'),
      }),
      new Error('Connection terminated unexpectedly'),
      new Error('Query read timeout'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('getaddrinfo ENOTFOUND writer.cluster', 'ENOTFOUND'),
      Object.assign(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], '')),
      sqlState('terminating connection due to administrator command', '57P01'),
      sqlState('the database system is starting up', '57P03'),
      sqlState('cannot execute UPDATE in a read-only transaction', '25006'),
      sqlState('connection failure', '08006'),
      sqlState('sorry, too many clients already', '53300'),
    ];
    expect(outages.map((e) => isDatabaseOutage(e))).toEqual(outages.map(() => true));
  });

  it("fails as before the job's own errors, even when their text mentions a timeout or a connection", () => {
    const genuine = [
      sqlState('invalid input syntax for type uuid: "not-a-uuid"', '22P02'),
      sqlState('canceling statement due to statement timeout', '57014'),
      sqlState('duplicate key value violates unique constraint "render_jobs_pkey"', '23505'),
      new Error('render_jobs has no record x (lost with the database connection terminated?)'),
      new Error('upscale source timeout expired: no image'),
      withCode('EACCES: permission denied', 'EACCES'),
      'Connection terminated',
      undefined,
    ];
    expect(genuine.map((e) => isDatabaseOutage(e))).toEqual(genuine.map(() => false));
  });
});

describe('outageRetryDelay', () => {
  it('doubles with each outage met in a row since the last counted attempt, up to the maximum', () => {
    const delays = [1, 2, 3, 4, 5, 40].map((started) =>
      outageRetryDelay({ attemptsStarted: started, attemptsMade: 0 }, 200, 1000),
    );
    expect(delays).toEqual([200, 400, 800, 1000, 1000, 1000]);
    expect(outageRetryDelay({ attemptsStarted: 3, attemptsMade: 2 }, 200, 1000)).toBe(200);
  });
});
