// Posts the drill's start, abort and result to a Slack-compatible incoming webhook (`{"text": …}` plus blocks),
// for the people who watch a game day; the runbook's own §7 communication steps are separate. The posts run in
// the background, in order; the run's end waits for the last one within its bounded timeout (webhook-post.ts).
import { formatDuration } from '../duration.ts';
import { type EventOf, formatEvent } from '../events.ts';
import { ciRun } from '../provenance/tool.ts';
import type { Reporter } from '../reporters/reporter.ts';
import { WarnOnce } from './warn-once.ts';
import { type PostPolicy, postJson, WEBHOOK_POLICY } from './webhook-post.ts';

/** Slack's limit for a section's text is 3000 characters. */
const SECTION_LIMIT = 2_900;

export interface SlackMessage {
  text: string;
  blocks: { type: 'section'; text: { type: 'mrkdwn'; text: string } }[];
}

/** Slack reads `&`, `<` and `>` as markup: https://api.slack.com/reference/surfaces/formatting#escaping */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const clip = (text: string) => (text.length > SECTION_LIMIT ? `${text.slice(0, SECTION_LIMIT)}…` : text);

/** A headline in bold, then the console's own lines as a code block (one fact, one wording). */
export function slackMessage(headline: string, lines?: string): SlackMessage {
  const blocks: SlackMessage['blocks'] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${slackEscape(headline)}*` } },
  ];
  if (lines)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `\`\`\`${clip(slackEscape(lines))}\`\`\`` },
    });
  return { text: slackEscape(lines ? `${headline}\n${lines}` : headline), blocks };
}

export interface WebhookReporterOptions {
  url: string;
  warnings?: WarnOnce;
  policy?: PostPolicy;
}

export class WebhookReporter implements Reporter {
  readonly #url: string;
  readonly #warnings: WarnOnce;
  readonly #policy: PostPolicy;
  #queue: Promise<void> = Promise.resolve();
  #drill = '';
  #active = false;
  #abortPosted = false;

  constructor(opts: WebhookReporterOptions) {
    this.#url = opts.url;
    this.#warnings = opts.warnings ?? new WarnOnce();
    this.#policy = opts.policy ?? WEBHOOK_POLICY;
  }

  #post(what: string, message: SlackMessage): Promise<void> {
    this.#queue = this.#queue.then(async () => {
      const failure = await postJson(this.#url, message, this.#policy);
      // The URL is never part of the line: postJson's reasons do not carry it.
      if (failure) this.#warnings.warn('webhook: a post failed', `${what}: ${failure} (the drill goes on)`);
    });
    return this.#queue;
  }

  onRunStart(e: EventOf<'run-start'>): Promise<void> | undefined {
    // A dry run changes nothing: nobody needs to be told.
    if (e.dryRun) return undefined;
    this.#active = true;
    this.#drill = `drill ${e.scenario} on ${e.target}`;
    return this.#post('start', slackMessage(`${this.#drill}: started`, formatEvent(e)));
  }

  #aborted(phase: string, sinceT0Ms: number | undefined, why: string | undefined): Promise<void> | undefined {
    if (!this.#active || this.#abortPosted) return undefined;
    this.#abortPosted = true;
    const at = sinceT0Ms === undefined ? '' : ` at T0+${formatDuration(sinceT0Ms)}`;
    return this.#post('abort', slackMessage(`${this.#drill}: ABORTED in ${phase}${at}, rolling back`, why));
  }

  onStepEnd(e: EventOf<'step-end'>): Promise<void> | undefined {
    return e.status === 'aborted' ? this.#aborted(e.phase, e.sinceT0Ms, e.error) : undefined;
  }

  onPhaseEnd(e: EventOf<'phase-end'>): Promise<void> | undefined {
    return e.status === 'aborted' ? this.#aborted(e.phase, e.sinceT0Ms, e.detail) : undefined;
  }

  onRunEnd(e: EventOf<'run-end'>): Promise<void> | undefined {
    if (!this.#active) return undefined;
    const ci = ciRun();
    const lines = `${formatEvent(e)}${ci ? `\n  CI run: ${ci.url}` : ''}`;
    return this.#post('result', slackMessage(`${this.#drill}: ${e.outcome.toUpperCase()}`, lines));
  }
}
