// The JSON Schemas `pnpm drill schema <document>` prints, each generated from its zod source and committed at `file`
// (regenerate: `pnpm drill schema <document> > <file>`; each schema's test keeps the committed file equal).
import { complianceJsonSchema } from '../../reports/compliance/compliance-schema.ts';
import { actionsJsonSchema } from '../audit-schema.ts';
import { eventsJsonSchema } from '../events-schema.ts';
import { resultJsonSchema } from '../runner/result-schema.ts';

export const SCHEMA_DOCUMENTS = {
  result: { file: 'core/result-schema.json', jsonSchema: resultJsonSchema },
  actions: { file: 'core/actions-schema.json', jsonSchema: actionsJsonSchema },
  events: { file: 'core/events-schema.json', jsonSchema: eventsJsonSchema },
  compliance: { file: 'reports/compliance/compliance-schema.json', jsonSchema: complianceJsonSchema },
} as const;

export type SchemaDocument = keyof typeof SCHEMA_DOCUMENTS;

/** The committed text of a document's JSON Schema. */
export const schemaText = (document: SchemaDocument): string =>
  `${JSON.stringify(SCHEMA_DOCUMENTS[document].jsonSchema(), null, 2)}\n`;
