// An Atlassian Statuspage-style incident store (REST v1): what a drill posts to status.luneo.app, kept for reading back.
import { randomBytes } from 'node:crypto';

export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
// Statuspage's incident impact levels; "major outage" is a component status, "critical" the matching impact.
export const IMPACTS = ['none', 'minor', 'major', 'critical'] as const;
export const COMPONENT_STATUSES = [
  'operational',
  'under_maintenance',
  'degraded_performance',
  'partial_outage',
  'major_outage',
] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

export interface IncidentUpdate {
  id: string;
  incident_id: string;
  status: IncidentStatus;
  body: string;
  created_at: string;
  updated_at: string;
  display_at: string;
  affected_components: { code: string; name: string; old_status: string; new_status: ComponentStatus }[];
}

export interface Incident {
  id: string;
  page_id: string;
  name: string;
  status: IncidentStatus;
  impact: (typeof IMPACTS)[number];
  impact_override: (typeof IMPACTS)[number] | null;
  created_at: string;
  updated_at: string;
  started_at: string;
  resolved_at: string | null;
  shortlink: string;
  components: { id: string; name: string; status: ComponentStatus; page_id: string }[];
  incident_updates: IncidentUpdate[];
  metadata: Record<string, unknown>;
}

/** A request the API refused: HTTP status and Statuspage's `{error}` text. */
export class StatuspageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const newId = () => randomBytes(6).toString('hex');

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new StatuspageError(
      422,
      `${field} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`,
    );
  }
  return value as T;
}

function componentsOf(value: unknown): Record<string, ComponentStatus> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StatuspageError(422, 'incident.components must be an object {component_id: status}');
  }
  const out: Record<string, ComponentStatus> = {};
  for (const [id, status] of Object.entries(value)) {
    out[id] = oneOf(status, COMPONENT_STATUSES, `incident.components.${id}`)!;
  }
  return out;
}

/** One page's incidents, as the Statuspage API keeps them. */
export class StatuspagePage {
  readonly incidents: Incident[] = [];
  readonly #componentStatus = new Map<string, ComponentStatus>();

  constructor(
    readonly pageId: string,
    readonly componentNames: Record<string, string>,
  ) {
    for (const id of Object.keys(componentNames)) this.#componentStatus.set(id, 'operational');
  }

  /** POST /v1/pages/:page/incidents body `{incident: {...}}`. */
  create(body: Record<string, unknown>, now = new Date()): Incident {
    const input = this.#incidentInput(body);
    if (typeof input.name !== 'string' || input.name.trim() === '') {
      throw new StatuspageError(422, 'incident.name is required');
    }
    const status = oneOf(input.status, INCIDENT_STATUSES, 'incident.status') ?? 'investigating';
    const impactOverride = oneOf(input.impact_override, IMPACTS, 'incident.impact_override') ?? null;
    const at = now.toISOString();
    const id = newId();
    const incident: Incident = {
      id,
      page_id: this.pageId,
      name: input.name,
      status,
      impact: impactOverride ?? 'none',
      impact_override: impactOverride,
      created_at: at,
      updated_at: at,
      started_at: at,
      resolved_at: status === 'resolved' ? at : null,
      shortlink: `https://stspg.io/${id}`,
      components: [],
      incident_updates: [],
      metadata: (input.metadata as Record<string, unknown> | undefined) ?? {},
    };
    this.#addUpdate(incident, status, input.body, componentsOf(input.components), at);
    this.incidents.unshift(incident);
    return incident;
  }

  /** PATCH /v1/pages/:page/incidents/:id: a new status, body and component statuses add an incident update. */
  update(id: string, body: Record<string, unknown>, now = new Date()): Incident {
    const incident = this.get(id);
    const input = this.#incidentInput(body);
    const status = oneOf(input.status, INCIDENT_STATUSES, 'incident.status') ?? incident.status;
    const impactOverride = oneOf(input.impact_override, IMPACTS, 'incident.impact_override');
    if (typeof input.name === 'string' && input.name.trim() !== '') incident.name = input.name;
    if (impactOverride) {
      incident.impact_override = impactOverride;
      incident.impact = impactOverride;
    }
    const at = now.toISOString();
    incident.status = status;
    incident.updated_at = at;
    if (status === 'resolved') incident.resolved_at ??= at;
    this.#addUpdate(incident, status, input.body, componentsOf(input.components), at);
    return incident;
  }

  get(id: string): Incident {
    const incident = this.incidents.find((i) => i.id === id);
    if (!incident) throw new StatuspageError(404, 'The requested resource could not be found.');
    return incident;
  }

  unresolved(): Incident[] {
    return this.incidents.filter((i) => i.status !== 'resolved');
  }

  #incidentInput(body: Record<string, unknown>): Record<string, unknown> {
    const input = body.incident;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new StatuspageError(400, 'the body must be {"incident": {...}}');
    }
    return input as Record<string, unknown>;
  }

  #addUpdate(
    incident: Incident,
    status: IncidentStatus,
    body: unknown,
    components: Record<string, ComponentStatus>,
    at: string,
  ): void {
    const affected: IncidentUpdate['affected_components'] = [];
    for (const [code, next] of Object.entries(components)) {
      const name = this.componentNames[code];
      if (name === undefined)
        throw new StatuspageError(422, `incident.components: no component "${code}" on page ${this.pageId}`);
      affected.push({
        code,
        name,
        old_status: this.#componentStatus.get(code) ?? 'operational',
        new_status: next,
      });
      this.#componentStatus.set(code, next);
      const listed = incident.components.find((c) => c.id === code);
      if (listed) listed.status = next;
      else incident.components.push({ id: code, name, status: next, page_id: this.pageId });
    }
    incident.incident_updates.unshift({
      id: newId(),
      incident_id: incident.id,
      status,
      body: typeof body === 'string' ? body : '',
      created_at: at,
      updated_at: at,
      display_at: at,
      affected_components: affected,
    });
  }
}
