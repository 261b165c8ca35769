// The run's event stream on disk lives in core/event-log.ts (the run writes it, `drill rollback` replays it).
export { EVENTS_FILE, EventLog, parseEventLog } from '../event-log.ts';
