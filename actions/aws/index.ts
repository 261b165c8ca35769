// Generic AWS steps and faults, for any app: each takes its resources through selectors (actions/select.ts).
export * from './elasticache.ts';
export * from './fis.ts';
export * from './global-database.ts';
export * from './route53.ts';
export * from './s3-replication.ts';
export * from './secrets.ts';
