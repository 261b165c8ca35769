// The run's event stream on disk lives in core/event-log.ts (the run, `drill rollback` and the lock all read it).
export { EVENTS_FILE, EventLog, parseEventLog } from '../event-log.ts';
