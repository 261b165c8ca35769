// Route 53 over restXml: the hosted zone, its failover records and the health checks that decide them.
import type { Region } from '../../regions.ts';
import type { AwsContext, AwsReply, AwsRequest } from '../context.ts';
import { AwsError, requestId } from '../protocol/errors.ts';
import { queryError } from '../protocol/query.ts';
import { childText, el, escapeXml, list, node, parseXml } from '../protocol/xml.ts';
import type { AwsSeed, HealthTarget } from '../seed.ts';
import type { HealthCheckConfig } from './health-check-config.ts';
import { HealthCheckers } from './health-checks.ts';
import {
  changeInfoXml,
  healthCheckXml,
  observationXml,
  parseChangeBatch,
  parseHealthCheckConfig,
  ROUTE53_NAMESPACE,
  recordXml,
} from './xml.ts';
import { HostedZone, normalizeName, type RecordSet, randomId } from './zone.ts';

export interface ResolvedAnswer {
  value: string;
  ttl: number;
  setIdentifier: string;
  region: Region;
}

const NAME_SERVERS = [
  'ns-101.awsdns-lab-12.com.',
  'ns-202.awsdns-lab-25.net.',
  'ns-303.awsdns-lab-38.org.',
  'ns-404.awsdns-lab-51.co.uk.',
];

export class Route53Service {
  readonly zone: HostedZone;
  readonly checkers: HealthCheckers;
  private readonly ctx: AwsContext;
  private readonly seed: AwsSeed;
  private readonly seededChecks: { primary: string; secondary?: string };
  private readonly answers = new Map<string, string>();
  private readonly propagationMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    ctx: AwsContext,
    seed: AwsSeed,
    opts: { intervalMs: number; failureThreshold: number; propagationMs: number },
  ) {
    this.ctx = ctx;
    this.seed = seed;
    this.checkers = new HealthCheckers({
      intervalMs: opts.intervalMs,
      onChange: (check) => {
        ctx.log(
          `route53: health check ${check.id} is now ${this.checkers.isHealthy(check.id) ? 'healthy' : 'unhealthy'}`,
        );
        this.noteAnswers();
      },
    });
    this.propagationMs = opts.propagationMs;
    const config = (target: HealthTarget): HealthCheckConfig => ({
      Type: 'HTTP',
      IPAddress: target.ip,
      Port: target.port,
      ResourcePath: target.path,
      RequestInterval: 10,
      FailureThreshold: opts.failureThreshold,
      Inverted: false,
      Disabled: false,
    });
    const { primary, secondary, name, ttl } = seed.failoverRecords;
    const primaryCheck = this.checkers.create('lab-seed-primary', config(primary.health));
    const secondaryCheck = secondary.health
      ? this.checkers.create('lab-seed-secondary', config(secondary.health))
      : undefined;
    this.seededChecks = {
      primary: primaryCheck.id,
      ...(secondaryCheck ? { secondary: secondaryCheck.id } : {}),
    };
    const zoneName = normalizeName(seed.hostedZone.name);
    const records: RecordSet[] = [
      { Name: zoneName, Type: 'NS', TTL: 172800, ResourceRecords: NAME_SERVERS },
      {
        Name: zoneName,
        Type: 'SOA',
        TTL: 900,
        ResourceRecords: [`${NAME_SERVERS[0]} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`],
      },
      {
        Name: name,
        Type: 'CNAME',
        SetIdentifier: `primary-${primary.region}`,
        Failover: 'PRIMARY',
        TTL: ttl,
        ResourceRecords: [primary.value],
        HealthCheckId: primaryCheck.id,
      },
      {
        Name: name,
        Type: 'CNAME',
        SetIdentifier: `secondary-${secondary.region}`,
        Failover: 'SECONDARY',
        TTL: ttl,
        ResourceRecords: [secondary.value],
        ...(secondaryCheck ? { HealthCheckId: secondaryCheck.id } : {}),
      },
    ];
    this.zone = new HostedZone({
      id: `Z${randomId(13)}`,
      name: zoneName,
      records,
      propagationMs: opts.propagationMs,
      healthCheckExists: (id) => this.checkers.has(id),
    });
  }

  start(): void {
    this.noteAnswers();
    this.checkers.start();
  }

  stop(): void {
    this.checkers.stop();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  healthCheckIds(): { primary: string; secondary?: string } {
    return { ...this.seededChecks };
  }

  /** The answer a resolver gets for `name` now (what the public edge routes on): its failover choice. */
  resolve(name: string): ResolvedAnswer | null {
    const chosen = this.choose(
      this.recordSetsAt(normalizeName(name)).filter((r) => r.Type !== 'NS' && r.Type !== 'SOA'),
    );
    if (!chosen) return null;
    const { primary: p, secondary: s } = this.seed.failoverRecords;
    return {
      value: recordData(chosen)[0] ?? '',
      ttl: chosen.TTL ?? 60,
      setIdentifier: chosen.SetIdentifier ?? '',
      region: chosen.Failover === 'SECONDARY' ? s.region : p.region,
    };
  }

  /** TestDNSAnswer: what a resolver asking for `name`/`type` gets, decided exactly as resolve() decides. */
  dnsAnswer(name: string, type: string): { data: string[]; responseCode: string } {
    const atName = this.recordSetsAt(normalizeName(name));
    if (atName.length === 0) return { data: [], responseCode: 'NXDOMAIN' };
    const ofType = atName.filter((r) => r.Type === type);
    // RFC 1034 §3.6.2: a CNAME at the name answers a query of any type.
    const chosen = this.choose(ofType.length > 0 ? ofType : atName.filter((r) => r.Type === 'CNAME'));
    return { data: chosen ? recordData(chosen) : [], responseCode: 'NOERROR' };
  }

  private recordSetsAt(name: string): RecordSet[] {
    return this.zone.servingRecords().filter((r) => r.Name === name);
  }

  /** Route 53 DG "Active-passive failover": PRIMARY while its check is healthy, else a healthy SECONDARY;
   *  when both are unhealthy Route 53 answers as if both were healthy, so PRIMARY. */
  private choose(sets: RecordSet[]): RecordSet | undefined {
    const healthy = (r: RecordSet) =>
      !r.HealthCheckId || !this.checkers.has(r.HealthCheckId) || this.checkers.isHealthy(r.HealthCheckId);
    const primary = sets.find((r) => r.Failover === 'PRIMARY');
    const secondary = sets.find((r) => r.Failover === 'SECONDARY');
    const simple = sets.find((r) => !r.Failover && !r.SetIdentifier);
    if (primary && secondary) return healthy(primary) || !healthy(secondary) ? primary : secondary;
    return primary ?? secondary ?? simple;
  }

  /** Logs each change of a failover name's answer when it happens: the lab's record of when DNS flipped. */
  private noteAnswers(): void {
    const names = new Set(
      this.zone
        .servingRecords()
        .filter((r) => r.Failover)
        .map((r) => r.Name),
    );
    for (const name of names) {
      const answer = this.resolve(name);
      const now = answer ? `${answer.setIdentifier} (${answer.value})` : 'nothing';
      if (this.answers.get(name) === now) continue;
      this.answers.set(name, now);
      this.ctx.log(`route53: ${name} now answers ${now}`);
    }
  }

  async handle(request: AwsRequest): Promise<AwsReply> {
    const id = requestId();
    try {
      const { status = 200, xml, headers = {} } = this.route(request);
      return {
        status,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': id, ...headers },
        body: `<?xml version="1.0"?>\n${xml}`,
      };
    } catch (error) {
      const failure =
        error instanceof AwsError ? error : new AwsError('InvalidInput', 400, (error as Error).message);
      const reply = queryError(failure, ROUTE53_NAMESPACE, id);
      return {
        status: reply.status,
        headers: { 'content-type': reply.contentType, 'x-amzn-requestid': id },
        body: reply.body,
      };
    }
  }

  private respond(operation: string, ...content: string[]): { xml: string } {
    return {
      xml: `<${operation}Response xmlns="${ROUTE53_NAMESPACE}">${content.join('')}</${operation}Response>`,
    };
  }

  private zoneXml(): string {
    const z = this.zone;
    return node(
      'HostedZone',
      el('Id', `/hostedzone/${z.id}`),
      el('Name', z.name),
      el('CallerReference', z.callerReference),
      node('Config', el('Comment', 'lab'), el('PrivateZone', false)),
      el('ResourceRecordSetCount', z.list().length),
    );
  }

  private checkZone(raw: string): void {
    const zoneId = decodeURIComponent(raw).replace(/^\/?hostedzone\//, '');
    if (zoneId !== this.zone.id)
      throw new AwsError('NoSuchHostedZone', 404, `No hosted zone found with ID: ${zoneId}`);
  }

  private route(request: AwsRequest): { status?: number; xml: string; headers?: Record<string, string> } {
    const parts = request.path
      .replace(/^\/2013-04-01\//, '')
      .split('/')
      .filter(Boolean);
    const [resource, rawId, sub] = parts;
    const method = request.method;
    const q = request.query;
    if (resource === 'hostedzone' && !rawId && method === 'GET') {
      return this.respond(
        'ListHostedZones',
        node('HostedZones', this.zoneXml()),
        el('IsTruncated', false),
        el('MaxItems', q.get('maxitems') ?? 100),
      );
    }
    if (resource === 'hostedzonesbyname' && method === 'GET') {
      const dns = q.get('dnsname');
      const zones = !dns || normalizeName(dns) <= this.zone.name ? this.zoneXml() : '';
      return this.respond(
        'ListHostedZonesByName',
        node('HostedZones', zones),
        el('DNSName', dns ?? undefined),
        el('IsTruncated', false),
        el('MaxItems', q.get('maxitems') ?? 100),
      );
    }
    if (resource === 'hostedzone' && rawId && !sub && method === 'GET') {
      this.checkZone(rawId);
      return this.respond(
        'GetHostedZone',
        this.zoneXml(),
        node(
          'DelegationSet',
          list('NameServers', 'NameServer', NAME_SERVERS, (n) => n),
        ),
      );
    }
    if (resource === 'hostedzone' && rawId && sub === 'rrset' && method === 'GET') {
      this.checkZone(rawId);
      return this.listRecords(q);
    }
    if (resource === 'hostedzone' && rawId && sub === 'rrset' && method === 'POST') {
      this.checkZone(rawId);
      const { changes, comment } = parseChangeBatch(parseXml(request.body.toString('utf8')));
      const info = this.zone.change(changes, comment);
      this.ctx.mutated('ChangeResourceRecordSets');
      const published = setTimeout(() => {
        this.timers.delete(published);
        this.noteAnswers();
      }, this.propagationMs);
      this.timers.add(published);
      // One line per record set applied, so a test can count applied changes per record (not just per call).
      for (const { Action, ResourceRecordSet: r } of changes)
        this.ctx.log(
          `route53: change ${info.id} applied ${Action} ${normalizeName(r.Name)} ${r.Type}${r.SetIdentifier ? ` (${r.SetIdentifier})` : ''}`,
        );
      return this.respond('ChangeResourceRecordSets', changeInfoXml(info));
    }
    if (resource === 'change' && rawId && method === 'GET') {
      const changeId = decodeURIComponent(rawId).replace(/^\/?change\//, '');
      const info = this.zone.getChange(changeId);
      if (!info)
        throw new AwsError(
          'NoSuchChange',
          404,
          `A change with the specified change ID does not exist: ${changeId}`,
        );
      return this.respond('GetChange', changeInfoXml(info));
    }
    if (resource === 'testdnsanswer' && method === 'GET') return this.testDnsAnswer(q);
    if (resource === 'healthcheckcount' && method === 'GET') {
      return this.respond('GetHealthCheckCount', el('HealthCheckCount', this.checkers.list().length));
    }
    if (resource === 'healthcheck') return this.routeHealthCheck(request, rawId, sub);
    throw new AwsError(
      'UnknownOperationException',
      400,
      `The lab's Route 53 has no operation for ${method} ${request.path}.`,
    );
  }

  /** botocore route53 TestDNSAnswer: GET /2013-04-01/testdnsanswer?hostedzoneid&recordname&recordtype. */
  private testDnsAnswer(q: URLSearchParams): { xml: string } {
    const zoneId = q.get('hostedzoneid');
    const name = q.get('recordname');
    const type = q.get('recordtype');
    if (!zoneId || !name || !type)
      throw new AwsError('InvalidInput', 400, 'TestDNSAnswer needs hostedzoneid, recordname and recordtype.');
    this.checkZone(zoneId);
    const answer = this.dnsAnswer(name, type);
    return this.respond(
      'TestDNSAnswer',
      el('Nameserver', NAME_SERVERS[0]?.replace(/\.$/, '')),
      el('RecordName', normalizeName(name)),
      el('RecordType', type),
      list('RecordData', 'RecordDataEntry', answer.data, escapeXml),
      el('ResponseCode', answer.responseCode),
      el('Protocol', 'UDP'),
    );
  }

  private listRecords(q: URLSearchParams): { xml: string } {
    const all = this.zone.list();
    const name = q.get('name') ? normalizeName(q.get('name') as string) : undefined;
    const type = q.get('type') ?? undefined;
    const identifier = q.get('identifier') ?? undefined;
    const max = Number(q.get('maxitems') ?? 300);
    let start = 0;
    if (name) {
      const index = all.findIndex(
        (r) =>
          r.Name === name && (!type || r.Type === type) && (!identifier || r.SetIdentifier === identifier),
      );
      start = index === -1 ? all.length : index;
    }
    const page = all.slice(start, start + max);
    const next = all[start + max];
    return this.respond(
      'ListResourceRecordSets',
      `<ResourceRecordSets>${page.map(recordXml).join('')}</ResourceRecordSets>`,
      el('IsTruncated', !!next),
      next
        ? el('NextRecordName', next.Name) +
            el('NextRecordType', next.Type) +
            el('NextRecordIdentifier', next.SetIdentifier)
        : '',
      el('MaxItems', max),
    );
  }

  private routeHealthCheck(request: AwsRequest, rawId: string | undefined, sub: string | undefined) {
    const method = request.method;
    if (!rawId && method === 'POST') {
      const root = parseXml(request.body.toString('utf8'));
      const reference = childText(root, 'CallerReference');
      if (!reference) throw new AwsError('InvalidInput', 400, 'CreateHealthCheck needs a CallerReference.');
      const fields = parseHealthCheckConfig(root.children.find((c) => c.name === 'HealthCheckConfig'));
      const existing = this.checkers.byCallerReference(reference);
      if (existing) {
        if (Object.entries(fields).some(([k, v]) => existing.config[k as keyof HealthCheckConfig] !== v)) {
          throw new AwsError(
            'HealthCheckAlreadyExists',
            409,
            `A health check with CallerReference ${reference} already exists with a different configuration.`,
          );
        }
        return { status: 201, ...this.respond('CreateHealthCheck', healthCheckXml(existing)) };
      }
      if (!fields.Type) throw new AwsError('InvalidInput', 400, 'HealthCheckConfig.Type is required.');
      const check = this.checkers.create(reference, {
        RequestInterval: 30,
        FailureThreshold: 3,
        Inverted: false,
        Disabled: false,
        ...fields,
      } as HealthCheckConfig);
      this.ctx.mutated('CreateHealthCheck');
      return {
        status: 201,
        headers: { location: `/2013-04-01/healthcheck/${check.id}` },
        ...this.respond('CreateHealthCheck', healthCheckXml(check)),
      };
    }
    if (!rawId && method === 'GET') {
      const checks = this.checkers.list();
      return this.respond(
        'ListHealthChecks',
        `<HealthChecks>${checks.map(healthCheckXml).join('')}</HealthChecks>`,
        el('IsTruncated', false),
        el('MaxItems', 100),
      );
    }
    const checkId = decodeURIComponent(rawId as string);
    if (!sub && method === 'GET')
      return this.respond('GetHealthCheck', healthCheckXml(this.checkers.get(checkId)));
    if (!sub && method === 'POST') {
      const root = parseXml(request.body.toString('utf8'));
      const version = childText(root, 'HealthCheckVersion');
      const check = this.checkers.update(
        checkId,
        version === undefined ? undefined : Number(version),
        parseHealthCheckConfig(root),
      );
      this.ctx.mutated('UpdateHealthCheck');
      return this.respond('UpdateHealthCheck', healthCheckXml(check));
    }
    if (!sub && method === 'DELETE') {
      this.checkers.delete(checkId);
      this.ctx.mutated('DeleteHealthCheck');
      return this.respond('DeleteHealthCheck');
    }
    if (sub === 'status' && method === 'GET') {
      // Each checker's raw last result: Inverted and Disabled are not applied here (API StatusReport).
      const reported = this.checkers
        .get(checkId)
        .checkers.filter((c): c is Parameters<typeof observationXml>[0] => c.lastReport !== undefined);
      return this.respond(
        'GetHealthCheckStatus',
        node('HealthCheckObservations', ...reported.map(observationXml)),
      );
    }
    throw new AwsError(
      'UnknownOperationException',
      400,
      `The lab's Route 53 has no operation for ${method} ${request.path}.`,
    );
  }
}

/** The values a resolver gets from one record set. AWS resolves an alias to its target's addresses; the lab's
 *  targets have no addresses, so it answers the alias target's name. */
function recordData(r: RecordSet): string[] {
  return r.AliasTarget ? [r.AliasTarget.DNSName] : (r.ResourceRecords ?? []);
}
