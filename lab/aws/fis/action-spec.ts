// One action of an experiment template as CreateExperimentTemplate takes it (CreateExperimentTemplateActionInput,
// FIS API reference): read by the experiment and by the quota checks.
export interface ActionSpecInput {
  actionId: string;
  description?: string;
  parameters?: Record<string, string>;
  targets?: Record<string, string>;
  startAfter?: string[];
}
