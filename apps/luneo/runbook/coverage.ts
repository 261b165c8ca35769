// Not a scenario: the runbook traceability map read by `pnpm drill runbook` (reports/runbook/). One entry per
// actionable line of RUNBOOK_DR_MULTI_REGION.md §4–§13, matched by section and a fragment of the line's text.

import type { RunbookFinding } from '../../../core/model.ts';
import { defineCoverage, refs } from '../../../core/runbook-coverage.ts';
import { FINDINGS } from '../findings.ts';

const FAILOVER = ['aurora-outage', 'region-outage'];

/** Runbook errors found while mapping it, beyond the step findings of apps/luneo/findings.ts. */
export const MAPPING_FINDINGS = {
  redisPromotion: {
    runbook: '§6.2',
    says: 'Bring up the secondary ElastiCache (if the Global Datastore is inactive, enable `promotion` mode)',
    actually:
      'ElastiCache has no "promotion mode": promote the secondary of a Global Datastore with FailoverGlobalReplicationGroup (GlobalReplicationGroupId, PrimaryRegion, PrimaryReplicationGroupId).',
    severity: 'major',
  },
  albControllerIngress: {
    runbook: '§6.3',
    says: 'Check that the ingress `kube-system/aws-load-balancer-controller` exposes a valid hostname',
    actually:
      'aws-load-balancer-controller is the controller Deployment, not an Ingress: the hostname is in status.loadBalancer.ingress[].hostname of the API Ingress in luneo-platform. What matters is that the secondary answers through the failover record, which the public health probe proves.',
    severity: 'minor',
  },
  argoRollout: {
    runbook: '§6.4',
    says: '`argo rollout restart luneo-api`',
    actually:
      '`argo` is the Argo Workflows CLI. An Argo Rollout restarts with `kubectl argo rollouts restart luneo-api`, a Deployment with `kubectl rollout restart deployment/luneo-api`.',
    severity: 'minor',
  },
  rejoinIsAutomatic: {
    runbook: '§9.2',
    says: 'Reconfigure replication: promote the secondary as global writer, then reintegrate the old primary as a reader',
    actually:
      'After FailoverGlobalCluster the secondary already is the global writer and Aurora rejoins the old primary as a secondary by itself: wait for its SynchronizationStatus to be connected, then switch over.',
    severity: 'minor',
  },
  dnsRewriteBack: {
    runbook: '§9.5',
    says: 'Go back with `aws route53 change-resource-record-sets` and Failover=PRIMARY on the restored region',
    actually:
      'If the records were not rewritten at failover (the drill inverts the primary health check), there is nothing to rewrite back: un-invert the health check (Inverted=false) and Route 53 answers PRIMARY once it is healthy.',
    severity: 'major',
  },
  fakeAlert: {
    runbook: '§13',
    says: 'T0 + 0 min: trigger a fake alert on Aurora',
    actually:
      'A fake alert rehearses people, not the platform: the drill injects a real fault (FIS network disruption of the primary) and times detection from the real alarms.',
    severity: 'info',
  },
} satisfies Record<string, RunbookFinding>;

export default defineCoverage([
  // §4 Détection
  {
    section: '§4',
    fragment: 'Alarmes CloudWatch clés',
    covered: { steps: refs('detection', ...FAILOVER) },
    note: 's3-replication-latency is watched where the target names it (prod: resources.alarms.s3ReplicationLatency); the lab has no S3 replication metrics, so its detection reads the other three',
  },
  {
    section: '§4',
    fragment: 'Grafana dashboard `Multi-Region Overview`',
    covered: { steps: refs('decision', ...FAILOVER) },
    note: 'Grafana is not read: the decision step confirms the regional outage from the global cluster and the public /health',
  },
  {
    section: '§4',
    fragment: 'ticket JIRA `OPS-DR-<date>`',
    covered: { manual: refs('incident-ticket', ...FAILOVER) },
  },
  // §5 Évaluation initiale
  {
    section: '§5',
    fragment: "uniquement l'application ou des services AWS gérés",
    covered: { steps: refs('decision', ...FAILOVER) },
  },
  {
    section: '§5',
    fragment: 'Si seul le workload est impacté',
    covered: {
      steps: [
        ['api-crashloop', 'decision'],
        ['api-crashloop', 'rollout-restart-primary'],
      ],
      probes: [['api-crashloop', 'no-regional-failover']],
    },
    note: 'api-crashloop: the API crash-loops on a bad config in the primary; the decision concludes workload only, the cause is removed and the API and workers restarted in the primary; verify proves the database never failed over',
  },
  {
    section: '§5',
    fragment: 'Si la région entière est dégradée',
    covered: { steps: refs('decision', ...FAILOVER) },
  },
  // §6.1 Base de données
  {
    section: '§6.1',
    fragment: 'SecondaryWriteForwardingStatus',
    covered: { steps: refs('lag-check', ...FAILOVER) },
    findings: [FINDINGS.lagField],
  },
  {
    section: '§6.1',
    fragment: 'promote-read-replica-db-cluster',
    covered: { steps: refs('promotion', ...FAILOVER) },
    findings: [FINDINGS.lagThreshold, FINDINGS.promoteReadReplica],
  },
  {
    section: '§6.1',
    fragment: 'Mettre à jour Secrets Manager `DATABASE_URL`',
    covered: { steps: refs('secret-secondary', ...FAILOVER) },
    findings: [FINDINGS.secretEndpoint, FINDINGS.secretRegion],
  },
  {
    section: '§6.1',
    fragment: "Noter l'heure de promotion",
    covered: { steps: refs('promotion', ...FAILOVER) },
    note: 'the promotion instant is measured (promotedAt) into result.json and the timeline; copying it into the ticket is manual',
  },
  // §6.2 Queues & cache
  {
    section: '§6.2',
    fragment: "Monter l'instance ElastiCache secondaire",
    covered: { steps: refs('cache-secondary', ...FAILOVER) },
    findings: [MAPPING_FINDINGS.redisPromotion],
  },
  {
    section: '§6.2',
    fragment: 'Reconfigurer `REDIS_URL` dans Secrets Manager vers la région secondaire',
    covered: { steps: refs('redis-secret-secondary', ...FAILOVER) },
    findings: [FINDINGS.redisSecretRegion],
  },
  {
    section: '§6.2',
    fragment: 'kubectl scale deployment ai-worker --replicas=0',
    covered: { steps: refs('fence-primary-workers', ...FAILOVER) },
    findings: [FINDINGS.fencingOrder],
  },
  // §6.3 Ingress & DNS
  {
    section: '§6.3',
    fragment: 'kube-system/aws-load-balancer-controller',
    covered: { probes: refs('health', ...FAILOVER) },
    note: 'no Ingress object is read: the recovery probe proves us-east-1 answers /health through the public URL',
    findings: [MAPPING_FINDINGS.albControllerIngress],
  },
  {
    section: '§6.3',
    fragment: 'terraform apply -target=aws_route53_record',
    covered: { steps: refs('dns-records', ...FAILOVER) },
  },
  {
    section: '§6.3',
    fragment: 'en inversant `Failover=SECONDARY`',
    covered: { steps: refs('dns', ...FAILOVER) },
    findings: [FINDINGS.dnsRewrite, FINDINGS.dnsBeforeRestart],
  },
  // §6.4 CI/CD
  {
    section: '§6.4',
    fragment: 'Suspendre les pipelines GitHub Actions',
    covered: { manual: refs('freeze-deploys', ...FAILOVER) },
  },
  {
    section: '§6.4',
    fragment: 'argo rollout restart luneo-api',
    covered: { steps: refs('kubernetes', ...FAILOVER) },
    findings: [MAPPING_FINDINGS.argoRollout, FINDINGS.configmapOrder, FINDINGS.workerSecret],
  },
  {
    section: '§6.4',
    fragment: 'feature flag `dr_mode=true`',
    covered: { steps: refs('dr-overrides-secondary-on', ...FAILOVER) },
    findings: [FINDINGS.configmapOrder],
  },
  // §6.5 Vérifications fonctionnelles
  {
    section: '§6.5',
    fragment: 'curl https://api.luneo.app/health',
    covered: { probes: [...refs('health-dr-mode', ...FAILOVER), ...refs('version', ...FAILOVER)] },
  },
  { section: '§6.5', fragment: 'tests smoke', covered: { probes: refs('smoke', ...FAILOVER) } },
  {
    section: '§6.5',
    fragment: 'commande e-commerce',
    covered: { probes: [...refs('order-after', ...FAILOVER), ...refs('render', ...FAILOVER)] },
  },
  // §7 Communication externe
  {
    section: '§7',
    fragment: 'Informer le support client',
    covered: { steps: [...refs('comms-start', ...FAILOVER), ['switchback', 'comms-resolved']] },
    note: 'a DRILL-marked message to the chat webhook (Slack-style) at start, failover, recovery and resolution; the newsletter is not automated',
  },
  {
    section: '§7',
    fragment: 'status.luneo.app',
    covered: {
      steps: [
        ...refs('comms-start', ...FAILOVER),
        ...refs('comms-failover', ...FAILOVER),
        ...refs('comms-recovered', ...FAILOVER),
        ['switchback', 'comms-resolved'],
      ],
    },
    note: 'Statuspage-style incident marked DRILL: impact critical with the API component in major_outage, T0 and posting times in every update',
  },
  {
    section: '§7',
    fragment: 'Préparer FAQ de suivi',
    covered: {
      notAutomatable:
        'writing the follow-up FAQ is editorial work; its facts (achieved RTO, lost writes, time to switchback) come from the run report',
    },
  },
  // §8 Pendant l'incident
  {
    section: '§8',
    fragment: 'Surveiller en continu le lag de réplication',
    covered: { probes: [...refs('replication-lag', ...FAILOVER), ...refs('health', ...FAILOVER)] },
    note: 'lag is checked before T0 (nothing replicates between failover and rejoin); the health probe samples the secondary continuously from T0',
  },
  {
    section: '§8',
    fragment: 'Noter toute modification manuelle',
    covered: {
      notAutomatable:
        'changes people make by hand are outside the tool; every change the drill makes is written to its audit log (actions.jsonl) before and after',
    },
  },
  {
    section: '§8',
    fragment: 'Maintenir une timeline partagée',
    covered: {
      engine: {
        what: 'run timeline, journaled after every transition',
        module: 'reports/allure/timeline.ts',
      },
    },
    note: "the shared Google Doc stays a person's job; the drill keeps its own timestamped timeline",
  },
  {
    section: '§8',
    fragment: 'queues BullMQ sont bien drainées',
    covered: { probes: [...refs('queues-drained', ...FAILOVER), ...refs('render-jobs-lost', ...FAILOVER)] },
    note: "the AI render and upscale jobs go through BullMQ on the serving region's Redis; sentinel jobs enqueued until T0 count the jobs the failover lost",
  },
  // §9.1 Remise en service EKS primaire
  {
    section: '§9.1',
    fragment: 'aws eks describe-cluster',
    covered: { steps: [['switchback', 'primary-nodes']] },
    note: 'EKS DescribeCluster is not called: the primary API server answering a node list proves the control plane is back',
  },
  { section: '§9.1', fragment: 'kubectl get nodes', covered: { steps: [['switchback', 'primary-nodes']] } },
  {
    section: '§9.1',
    fragment: 'argocd app sync luneo-api --prune',
    covered: { steps: [['switchback', 'primary-workloads']] },
    note: 'a rollout restart of the primary API stands in for the Argo CD sync (no Argo CD on the lab); the sync itself is the resume-deploys checkpoint',
  },
  { section: '§9.1', fragment: 'helm upgrade', covered: { manual: [['switchback', 'resume-deploys']] } },
  // §9.2 Reconstruction de la base de données
  {
    section: '§9.2',
    fragment: 'Si la région primaire est à jour',
    covered: { steps: [['switchback', 'rejoined']] },
    findings: [MAPPING_FINDINGS.rejoinIsAutomatic],
  },
  {
    section: '§9.2',
    fragment: 'aws rds switchover-global-cluster',
    covered: { steps: [['switchback', 'switchover']] },
    findings: [FINDINGS.switchoverThenFailover],
  },
  {
    section: '§9.2',
    fragment: 'réintégrer la région primaire comme lecteur via `aws rds failover-global-cluster`',
    covered: {
      rejected:
        'a second failover-global-cluster after the switchover would lose data and undo it: the switchback runs one SwitchoverGlobalCluster after the rejoin',
    },
    findings: [FINDINGS.switchoverThenFailover],
  },
  // §9.3 Redis & caches, §9.4 S3
  {
    section: '§9.3',
    fragment: 'snapshot du cache secondaire',
    covered: { steps: [['switchback', 'cache-primary']] },
    note: 'with a Global Datastore the primary cache is restored by failing the datastore back (FailoverGlobalReplicationGroup): the old primary already resynced as a replica, no snapshot to copy',
  },
  {
    section: '§9.3',
    fragment: "Reconfigurer `REDIS_URL` des applications vers l'endpoint primaire",
    covered: { steps: [['switchback', 'redis-secret-primary']] },
  },
  {
    section: '§9.3',
    fragment: 'redis-cli --scan',
    covered: { steps: [['switchback', 'cache-purge-stale']] },
    note: 'stale = BullMQ jobs whose render record was lost in the failover (they can never complete): found with SCAN, removed with Queue.remove',
  },
  {
    section: '§9.4',
    fragment: 'réplication résiduelle est complète',
    covered: {
      steps: [...refs('s3-backlog', ...FAILOVER), ['switchback', 's3-drained']],
    },
    note: 'list-object-versions on both buckets, compared version by version: recorded at failover, drained before DNS goes back; the s3-backlog / s3-drained probes put the backlog in the report',
  },
  {
    section: '§9.4',
    fragment: 'Réactiver la règle de réplication',
    covered: { steps: [['switchback', 's3-replication-rule']] },
    note: 'PutBucketReplication with every rule Enabled, only when one is suspended; region-outage pauses replication with FIS aws:s3:bucket-pause-replication',
  },
  // §9.5 DNS
  {
    section: '§9.5',
    fragment: 'avec `Failover=PRIMARY`',
    covered: { steps: [['switchback', 'dns-back']] },
    findings: [MAPPING_FINDINGS.dnsRewriteBack],
  },
  { section: '§9.5', fragment: 'Baisser le TTL à 30s', covered: { steps: [['switchback', 'dns-ttl']] } },
  // §10 Validation post-restauration
  {
    section: '§10',
    fragment: 'tests de non-régression backend',
    covered: {
      notAutomatable:
        'the backend e2e suite lives in the Luneo repository, not here; after switchback the smoke, order and render probes check the restored primary',
    },
  },
  {
    section: '§10',
    fragment: 'webhooks e-commerce',
    covered: { probes: [['switchback', 'ecommerce-webhooks'], ...refs('ecommerce-webhooks', ...FAILOVER)] },
  },
  {
    section: '§10',
    fragment: 'pipelines IA',
    covered: {
      probes: [
        ['switchback', 'render'],
        ['switchback', 'ai-pipelines'],
      ],
    },
    note: 'a sandbox render and an upscale of it (twice its size) on the restored primary',
  },
  {
    section: '§10',
    fragment: 'dashboards financiers',
    covered: { probes: [['switchback', 'billing-usage'], ...refs('billing-usage', ...FAILOVER)] },
    note: 'usage events: acknowledged vs stored on the writer; lost ones counted and re-delivered, duplicates fail. Stripe itself is not checked',
  },
  {
    section: '§10',
    fragment: 'alertes CloudWatch reviennent',
    covered: { probes: [['switchback', 'alarms-ok']] },
  },
  // §11 Clôture
  {
    section: '§11',
    fragment: 'Rédiger le post-mortem',
    covered: {
      notAutomatable:
        'the post-mortem is written by people; result.json, the timeline and the findings are its raw material',
    },
  },
  {
    section: '§11',
    fragment: 'Ajouter les logs Terraform / kubectl',
    covered: {
      engine: {
        what: 'audit log actions.jsonl: every mutating call, secrets redacted',
        module: 'core/audit.ts',
      },
    },
  },
  {
    section: '§11',
    fragment: 'Mettre à jour ce runbook',
    covered: {
      notAutomatable:
        "editing the runbook is people's work; `pnpm drill runbook` and the findings say what to change",
    },
  },
  {
    section: '§11',
    fragment: 'Planifier un exercice DR',
    covered: {
      notAutomatable: 'scheduling is a calendar or CI decision; any drill here can be rerun with one command',
    },
  },
  // §12 Annexes: commands, contacts, documents
  {
    section: '§12',
    fragment: 'aws rds describe-global-clusters --global-cluster-identifier',
    covered: { steps: [...refs('decision', ...FAILOVER), ['switchback', 'rejoined']] },
  },
  {
    section: '§12',
    fragment: 'aws route53 list-resource-record-sets',
    covered: { steps: refs('dns-records', ...FAILOVER) },
  },
  {
    section: '§12',
    fragment: 'kubectl get pods -n luneo-platform',
    covered: { steps: refs('kubernetes', ...FAILOVER) },
    note: 'the rollout restart waits until every pod of the secondary deployments is ready',
  },
  {
    section: '§12',
    fragment: 'aws s3api list-object-versions',
    covered: { steps: [...refs('s3-backlog', ...FAILOVER), ['switchback', 's3-drained']] },
    note: 'the runbook names the bucket luneo-prod-artifacts-eu-west-1; the targets bind resources.s3 (luneo-prod-artifacts → luneo-prod-artifacts-dr): check the real name in Terraform',
  },
  {
    section: '§12',
    fragment: 'prisma:migrate:status',
    covered: {
      notAutomatable:
        'a command of the Luneo backend repository; the schema travels with the replicated database and the order probe writes through it',
    },
  },
  {
    section: '§12',
    fragment: 'aws cloudwatch describe-alarms',
    covered: { steps: refs('detection', ...FAILOVER) },
  },
  { section: '§12', fragment: 'SRE primaire', covered: { notAutomatable: 'a contact, not an action' } },
  { section: '§12', fragment: 'SRE secondaire', covered: { notAutomatable: 'a contact, not an action' } },
  {
    section: '§12',
    fragment: 'Responsable produit',
    covered: { notAutomatable: 'a contact, not an action' },
  },
  {
    section: '§12',
    fragment: 'aws-multi-region/README.md',
    covered: { notAutomatable: 'a reference document, not an action' },
  },
  {
    section: '§12',
    fragment: 'DR_TEST_EXERCISES.md',
    covered: { notAutomatable: 'a reference document, not an action' },
  },
  {
    section: '§12',
    fragment: 'SECRET_ROTATION.md',
    covered: { notAutomatable: 'a reference document, not an action' },
  },
  // §13 Exercices trimestriels: the planned offsets of the steps
  {
    section: '§13',
    fragment: 'déclencher alerte factice sur Aurora',
    covered: { fault: FAILOVER },
    findings: [MAPPING_FINDINGS.fakeAlert],
  },
  {
    section: '§13',
    fragment: 'exécuter la promotion secondaire',
    covered: { steps: refs('promotion', ...FAILOVER) },
    timed: true,
  },
  {
    section: '§13',
    fragment: 'basculer DNS vers secondaire',
    covered: { steps: refs('dns', ...FAILOVER) },
    timed: true,
  },
  {
    section: '§13',
    fragment: 'faire tourner les tests smoke',
    covered: { probes: refs('smoke', ...FAILOVER) },
    note: 'smoke runs in verify, right after recovery, not at a fixed T0 + 25 min',
  },
  {
    section: '§13',
    fragment: 'déclarer incident clos',
    covered: {
      engine: { what: 'achieved RTO judged against the 30 min objective', module: 'core/measure/rto.ts' },
    },
  },
  {
    section: '§13',
    fragment: 'switchover planifié de nuit',
    covered: { steps: [['switchback', 'switchover']] },
    note: 'the switchback is its own drill with its own T0, run when the team chooses (e.g. at night)',
  },
]);
