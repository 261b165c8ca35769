// render(): an AI render job in sandbox mode goes through the queue and comes back as a valid PNG.
import type { Duration, ProbeDefinition } from '../core/model.ts';
import { expectStatus, httpCall, jsonObject } from './http.ts';
import { guardProbe, ProbeFailure } from './outcome.ts';
import { checkPng } from './png.ts';
import { type FromContext, joinUrl, resolveOption, safeText } from './resolve.ts';
import { backoffStep, delay, ms } from './timing.ts';

export const RENDER_TIMEOUT = '60s';

export interface RenderOptions<R> {
  url: FromContext<string, R>;
  /** Default "drill canary render <runId>". */
  prompt?: FromContext<string, R>;
  /** Default "render". */
  name?: string;
  /** Deadline for submit + render + download (default "60s"). */
  timeout?: Duration;
}

/** POST /api/renders {sandbox:true} → 202 {id}; poll with 100→250→500→1000 ms backoff until done; GET the PNG and validate it. */
export function render<R = unknown>(options: RenderOptions<R>): ProbeDefinition<R> {
  const name = options.name ?? 'render';
  const timeout = options.timeout ?? RENDER_TIMEOUT;
  return {
    name,
    description: 'A sandbox AI render completes and returns a valid PNG',
    timeout,
    check: (ctx, { signal }) =>
      guardProbe(
        signal,
        { name, timeoutMs: ms(timeout, RENDER_TIMEOUT), setting: `${name}.timeout` },
        async (run) => {
          const base = await resolveOption(options.url, ctx);
          const prompt = options.prompt
            ? await resolveOption(options.prompt, ctx)
            : `drill canary render ${ctx.runId}`;
          const submitUrl = joinUrl(base, '/api/renders');
          run.data.step = `POST ${submitUrl}`;
          const submitted = await httpCall(
            { method: 'POST', url: submitUrl, json: { prompt, sandbox: true } },
            run.signal,
          );
          expectStatus(submitted, 202);
          const id = jsonObject(submitted).id;
          if (typeof id !== 'string' || id === '') {
            throw new ProbeFailure(`POST ${safeText(submitUrl)} returned 202 without a job id`);
          }
          run.data.renderId = id;
          const jobUrl = joinUrl(base, `/api/renders/${encodeURIComponent(id)}`);
          let polls = 0;
          for (;;) {
            const reply = await httpCall({ url: jobUrl }, run.signal);
            polls++;
            expectStatus(reply, 200);
            const job = jsonObject(reply);
            run.data.status = typeof job.status === 'string' ? job.status : null;
            run.data.polls = polls;
            if (job.status === 'done') break;
            if (job.status === 'failed') {
              throw new ProbeFailure(
                `render ${id} failed after ${String(job.attempts)} attempt(s): ${String(job.error ?? 'no error given')}`,
                run.data,
              );
            }
            run.data.step = `waiting for render ${id} (last status ${JSON.stringify(job.status)}, ${polls} polls)`;
            await delay(backoffStep(polls - 1), run.signal);
          }
          const imageUrl = `${jobUrl}/image`;
          run.data.step = `GET ${imageUrl}`;
          const image = await httpCall({ url: imageUrl, accept: 'image/png' }, run.signal);
          expectStatus(image, 200);
          const png = checkPng(image.body);
          if (!png.ok) {
            throw new ProbeFailure(
              `GET ${safeText(imageUrl)} returned ${image.body.length} bytes that are not a valid PNG: ${png.problem}`,
              run.data,
            );
          }
          const { step: _step, ...progress } = run.data;
          return {
            ok: true,
            data: { ...progress, width: png.info.width, height: png.info.height, bytes: image.body.length },
          };
        },
      ),
  };
}
