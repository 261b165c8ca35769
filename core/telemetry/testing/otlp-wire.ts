// Test support: reads OTLP/HTTP export requests, protobuf or JSON, into plain spans and metric points. The field
// numbers are opentelemetry-proto's (opentelemetry/proto/{trace,metrics,common,resource}/v1/*.proto and
// collector/*/v1/*_service.proto); the JSON mapping is OTLP's (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).
// Written from the spec, not with the SDK's serializer, so the tests check what goes on the wire.

export type AttributeValue = string | number | boolean | AttributeValue[] | null;
export type Attributes = Record<string, AttributeValue>;

export interface WireSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  startNs: bigint;
  endNs: bigint;
  attributes: Attributes;
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  events: { name: string; attributes: Attributes }[];
  resource: Attributes;
}

export interface WirePoint {
  metric: string;
  unit: string;
  value: number;
  attributes: Attributes;
  resource: Attributes;
}

// --- protobuf wire format (https://protobuf.dev/programming-guides/encoding/) ---

interface Field {
  no: number;
  /** varint: the number; fixed64/fixed32 and length-delimited: the raw bytes. */
  varint?: bigint;
  bytes?: Uint8Array;
}

function readFields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buf[i++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, varint: varint() });
    else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      out.push({ no, bytes: buf.subarray(i, i + size) });
      i += size;
    } else if (wire === 2) {
      const size = Number(varint());
      out.push({ no, bytes: buf.subarray(i, i + size) });
      i += size;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b ?? new Uint8Array());
const hex = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('hex');
const all = (fields: Field[], no: number) =>
  fields.filter((f) => f.no === no).map((f) => f.bytes ?? new Uint8Array());
const one = (fields: Field[], no: number) => fields.find((f) => f.no === no);

/** common.v1.AnyValue: 1 string, 2 bool, 3 int64, 4 double, 5 ArrayValue (1: repeated AnyValue). */
function protoValue(buf: Uint8Array): AttributeValue {
  const [f] = readFields(buf);
  if (!f) return null;
  if (f.no === 1) return text(f.bytes);
  if (f.no === 2) return f.varint === 1n;
  if (f.no === 3) return Number(BigInt.asIntN(64, f.varint ?? 0n));
  if (f.no === 4) return view(f.bytes ?? new Uint8Array(8)).getFloat64(0, true);
  if (f.no === 5) return all(readFields(f.bytes ?? new Uint8Array()), 1).map(protoValue);
  return null;
}

/** repeated common.v1.KeyValue (1 key, 2 value). */
function protoAttributes(list: Uint8Array[]): Attributes {
  const out: Attributes = {};
  for (const kv of list) {
    const f = readFields(kv);
    out[text(one(f, 1)?.bytes)] = protoValue(one(f, 2)?.bytes ?? new Uint8Array());
  }
  return out;
}

/** resource.v1.Resource: 1 attributes. */
const protoResource = (buf: Uint8Array | undefined) =>
  protoAttributes(all(readFields(buf ?? new Uint8Array()), 1));
const fixed64 = (f: Field | undefined) => (f?.bytes ? view(f.bytes).getBigUint64(0, true) : 0n);

/** ExportTraceServiceRequest: 1 ResourceSpans (1 resource, 2 ScopeSpans (1 scope, 2 Span)). */
export function decodeTraceProto(buf: Uint8Array): WireSpan[] {
  const spans: WireSpan[] = [];
  for (const rs of all(readFields(buf), 1)) {
    const rsFields = readFields(rs);
    const resource = protoResource(one(rsFields, 1)?.bytes);
    for (const ss of all(rsFields, 2)) {
      for (const s of all(readFields(ss), 2)) {
        // Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 7 start, 8 end (fixed64), 9 attributes, 11 events, 15 status
        const f = readFields(s);
        const status = readFields(one(f, 15)?.bytes ?? new Uint8Array());
        spans.push({
          traceId: hex(one(f, 1)?.bytes),
          spanId: hex(one(f, 2)?.bytes),
          parentSpanId: hex(one(f, 4)?.bytes),
          name: text(one(f, 5)?.bytes),
          startNs: fixed64(one(f, 7)),
          endNs: fixed64(one(f, 8)),
          attributes: protoAttributes(all(f, 9)),
          // Status: 2 message, 3 code.
          status: { code: Number(one(status, 3)?.varint ?? 0n), message: text(one(status, 2)?.bytes) },
          // Span.Event: 1 time, 2 name, 3 attributes.
          events: all(f, 11).map((e) => {
            const ef = readFields(e);
            return { name: text(one(ef, 2)?.bytes), attributes: protoAttributes(all(ef, 3)) };
          }),
          resource,
        });
      }
    }
  }
  return spans;
}

/** NumberDataPoint: 4 as_double (double), 6 as_int (sfixed64), 7 attributes. */
function protoPoint(buf: Uint8Array): { value: number; attributes: Attributes } {
  const f = readFields(buf);
  const double = one(f, 4)?.bytes;
  const int = one(f, 6)?.bytes;
  const value = double
    ? view(double).getFloat64(0, true)
    : int
      ? Number(view(int).getBigInt64(0, true))
      : Number.NaN;
  return { value, attributes: protoAttributes(all(f, 7)) };
}

/** ExportMetricsServiceRequest: 1 ResourceMetrics (1 resource, 2 ScopeMetrics (2 Metric: 1 name, 3 unit, 5 gauge, 7 sum)). */
export function decodeMetricsProto(buf: Uint8Array): WirePoint[] {
  const points: WirePoint[] = [];
  for (const rm of all(readFields(buf), 1)) {
    const rmFields = readFields(rm);
    const resource = protoResource(one(rmFields, 1)?.bytes);
    for (const sm of all(rmFields, 2)) {
      for (const m of all(readFields(sm), 2)) {
        const f = readFields(m);
        const data = one(f, 5)?.bytes ?? one(f, 7)?.bytes;
        // Gauge and Sum: 1 data_points.
        for (const p of all(readFields(data ?? new Uint8Array()), 1)) {
          points.push({
            metric: text(one(f, 1)?.bytes),
            unit: text(one(f, 3)?.bytes),
            ...protoPoint(p),
            resource,
          });
        }
      }
    }
  }
  return points;
}

// --- OTLP/JSON: lowerCamelCase fields, hex ids, 64-bit integers as strings or numbers ---

interface JsonKeyValue {
  key: string;
  value?: JsonAnyValue;
}
interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: JsonAnyValue[] };
}

function jsonValue(v: JsonAnyValue | undefined): AttributeValue {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(jsonValue);
  return null;
}
const jsonAttributes = (list: JsonKeyValue[] | undefined): Attributes =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, jsonValue(kv.value)]));

interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: JsonKeyValue[];
  events?: { name: string; attributes?: JsonKeyValue[] }[];
  status?: { code?: number; message?: string };
}

export function decodeTraceJson(body: string): WireSpan[] {
  const request = JSON.parse(body) as {
    resourceSpans?: { resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: { spans?: JsonSpan[] }[] }[];
  };
  return (request.resourceSpans ?? []).flatMap((rs) => {
    const resource = jsonAttributes(rs.resource?.attributes);
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId ?? '',
        name: s.name,
        startNs: BigInt(s.startTimeUnixNano),
        endNs: BigInt(s.endTimeUnixNano),
        attributes: jsonAttributes(s.attributes),
        status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
        events: (s.events ?? []).map((e) => ({ name: e.name, attributes: jsonAttributes(e.attributes) })),
        resource,
      })),
    );
  });
}

interface JsonPoint {
  asDouble?: number;
  asInt?: string | number;
  attributes?: JsonKeyValue[];
}

export function decodeMetricsJson(body: string): WirePoint[] {
  const request = JSON.parse(body) as {
    resourceMetrics?: {
      resource?: { attributes?: JsonKeyValue[] };
      scopeMetrics?: {
        metrics?: {
          name: string;
          unit?: string;
          gauge?: { dataPoints?: JsonPoint[] };
          sum?: { dataPoints?: JsonPoint[] };
        }[];
      }[];
    }[];
  };
  return (request.resourceMetrics ?? []).flatMap((rm) => {
    const resource = jsonAttributes(rm.resource?.attributes);
    return (rm.scopeMetrics ?? []).flatMap((sm) =>
      (sm.metrics ?? []).flatMap((m) =>
        (m.gauge?.dataPoints ?? m.sum?.dataPoints ?? []).map((p) => ({
          metric: m.name,
          unit: m.unit ?? '',
          value: p.asDouble ?? (p.asInt === undefined ? Number.NaN : Number(p.asInt)),
          attributes: jsonAttributes(p.attributes),
          resource,
        })),
      ),
    );
  });
}
