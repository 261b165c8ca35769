// awsQuery (RDS, STS, CloudWatch Query): form-encoded requests, XML responses and errors.
import { AwsError } from './errors.ts';
import { escapeXml } from './xml.ts';

/** Flat view of a form body: `Name.member.1=…` stays a dotted key; helpers read lists and booleans. */
export class QueryParams {
  readonly values: Map<string, string>;
  constructor(body: string) {
    this.values = new Map(new URLSearchParams(body));
  }
  get action(): string | undefined {
    return this.values.get('Action');
  }
  get version(): string | undefined {
    return this.values.get('Version');
  }
  str(key: string): string | undefined {
    const value = this.values.get(key);
    return value === '' ? undefined : value;
  }
  bool(key: string): boolean | undefined {
    const value = this.values.get(key);
    if (value === undefined) return undefined;
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw new AwsError(
      'InvalidParameterValue',
      400,
      `Invalid boolean value for ${key}: "${value}" (expected true or false).`,
    );
  }
  num(key: string): number | undefined {
    const value = this.values.get(key);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) {
      throw new AwsError('InvalidParameterValue', 400, `Invalid number for ${key}: "${value}".`);
    }
    return parsed;
  }
  /** Items of a list serialized as `${prefix}.${n}` (e.g. AlarmNames.member.1, Filters.Filter.1.Name → pass 'Filters.Filter'). */
  list(prefix: string): string[] {
    const out: string[] = [];
    for (let n = 1; this.values.has(`${prefix}.${n}`); n++)
      out.push(this.values.get(`${prefix}.${n}`) as string);
    return out;
  }
  /** Structures of a list: each item's sub-keys relative to `${prefix}.${n}.`. */
  structs(prefix: string): Map<string, string>[] {
    const out: Map<string, string>[] = [];
    for (let n = 1; ; n++) {
      const head = `${prefix}.${n}.`;
      const item = new Map<string, string>();
      for (const [key, value] of this.values)
        if (key.startsWith(head)) item.set(key.slice(head.length), value);
      if (item.size === 0) return out;
      out.push(item);
    }
  }
}

export interface XmlReply {
  status: number;
  contentType: string;
  body: string;
}

export function queryResponse(
  operation: string,
  namespace: string,
  resultXml: string,
  requestId: string,
): XmlReply {
  const body =
    `<${operation}Response xmlns="${namespace}"><${operation}Result>${resultXml}</${operation}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
  return { status: 200, contentType: 'text/xml', body };
}

export function queryError(error: AwsError, namespace: string, requestId: string): XmlReply {
  const body =
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${error.fault}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: error.status, contentType: 'text/xml', body };
}

export function invalidAction(action: string | undefined): AwsError {
  return new AwsError(
    'InvalidAction',
    400,
    `The action ${action ?? '(none)'} is not valid for this web service (the lab implements a subset of the API).`,
  );
}
