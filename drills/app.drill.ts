// The spec of a scenario that has no spec of its own, e.g. an app's scenario found through DRILL_APPS:
// `pnpm drill <scenario>` names it in DRILL_SCENARIO (core/cli/vitest-runner.ts).
import { describeDrill } from './harness.ts';

const scenario = process.env.DRILL_SCENARIO;
if (!scenario)
  throw new Error('drills/app.drill.ts runs through `pnpm drill <scenario>`, which sets DRILL_SCENARIO');
await describeDrill(scenario);
