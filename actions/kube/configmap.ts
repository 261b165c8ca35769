// Apply keys of a configmap (a merge patch: keys the drill never manages stay, as with `kubectl apply`; null removes
// a key). `record` keeps the previous values of those keys in `recordAnnotation` on the configmap, once, for the way
// back (another run); `restoreRecorded` puts them back and forgets them. The undo within the run restores them.
import type { ConfigMapState } from '../../clients/kube/kube.ts';
import { planPatchConfigMap } from '../../clients/kube/kube.ts';
import type { StepDefinition } from '../../core/model.ts';
import { connection } from '../connection.ts';
import { declaredStep } from '../declared.ts';
import type { Select, StepMeta } from '../select.ts';

type KeyValues = Record<string, string | null>;

function parseRecord(text: string | undefined): KeyValues | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as KeyValues) : undefined;
  } catch {
    return undefined;
  }
}

function valuesOf(state: ConfigMapState | null, keys: string[]): KeyValues {
  return Object.fromEntries(keys.map((k) => [k, state?.data[k] ?? null]));
}

/** `k=v, without k2`: what the patch sets and removes. */
function describeData(data: KeyValues): string {
  const set = Object.entries(data).filter(([, v]) => v !== null);
  const unset = Object.keys(data).filter((k) => data[k] === null);
  return `${set.map(([k, v]) => `${k}=${v}`).join(', ')}${unset.length ? `, without ${unset.join(', ')}` : ''}`;
}

export function applyConfigMap<R>(
  meta: StepMeta<R>,
  opts: {
    context: Select<R, string>;
    namespace: Select<R, string>;
    name: Select<R, string>;
    /** The keys to set (null: remove); the first is the one the detail says the previous value of. */
    data: KeyValues;
    /** Keep the previous values in `recordAnnotation`, unless a record is already there. */
    record?: boolean;
    /** Put back what a `record` kept (else apply `data`), and forget the record. */
    restoreRecorded?: boolean;
    recordAnnotation: string;
  },
): StepDefinition<R> {
  const { data, recordAnnotation: RECORD } = opts;
  const keys = Object.keys(data);
  return declaredStep<R>({
    ...meta,
    calls: (ctx) => {
      const r = ctx.target.resources;
      return [planPatchConfigMap(opts.context(r), opts.namespace(r), opts.name(r), keys)];
    },
    async run(ctx) {
      const conn = await connection(ctx);
      let told = '';
      let recordedNow = false;
      const result = await conn.kube(opts.context(conn.r)).patchConfigMap(
        opts.namespace(conn.r),
        opts.name(conn.r),
        (current) => {
          const record = parseRecord(current?.annotations[RECORD]);
          if (opts.restoreRecorded) {
            told = record
              ? ` (restored from ${RECORD})`
              : ` (nothing recorded in ${RECORD}: ${describeData(data)})`;
            return record ? { data: record, annotations: { [RECORD]: null } } : { data };
          }
          recordedNow = Boolean(opts.record) && !record;
          return {
            data,
            ...(recordedNow ? { annotations: { [RECORD]: JSON.stringify(valuesOf(current, keys)) } } : {}),
          };
        },
        { signal: ctx.signal },
      );
      const first = keys[0] ?? '';
      const was = valuesOf(result.before, [first])[first];
      const kept = Object.keys(result.before?.data ?? {}).filter((k) => !(k in data));
      const now = opts.restoreRecorded ? '' : describeData(data);
      return {
        detail: `${now}${told}${result.changed ? '' : ' (unchanged)'}; was ${was ?? 'absent'}${kept.length ? `; other keys kept: ${kept.join(', ')}` : ''}`,
        undoData: { previous: valuesOf(result.before, keys), recordedNow, changed: result.changed },
      };
    },
    async undo(ctx, undoData) {
      const u = undoData as { previous?: KeyValues; recordedNow?: boolean; changed?: boolean } | undefined;
      if (!u?.previous || !u.changed) return;
      const previous = u.previous;
      const conn = await connection(ctx);
      await conn
        .kube(opts.context(conn.r))
        .patchConfigMap(
          opts.namespace(conn.r),
          opts.name(conn.r),
          () => ({ data: previous, ...(u.recordedNow ? { annotations: { [RECORD]: null } } : {}) }),
          { signal: ctx.signal },
        );
    },
  });
}
