import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Token } from 'aws-cdk-lib';
import * as cfn from 'aws-cdk-lib/aws-cloudformation';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { compactTemplate } from './compact-template';
import { checkResourceTypes } from './container-insights-sharing';
import { FleetMemberConfig, FleetMemberStack } from './fleet-member-stack';
import { FLEET_FLOW_KEYS, FLOW_KEY, fleetSourcePrincipalPattern, MAX_FLOW_KEY_LENGTH, WORKLOAD_FLOW_KEY_PREFIX, workloadFlowKey } from './fleet-names';
import { FleetFlowConfig } from './fleet-sync/desired';
import { ObservabilityResourceType } from './observability-resource-type';
import { ArgumentChecker } from '../core/arguments';
import { PARTITIONS } from '../core/partition';
import { arnRule, ArnKind, K8S_NAME, K8S_NAMESPACE, parseArn, REGION } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { checkStackResourceBudget } from '../core/stack-budget';
import { literalPartition } from '../core/stack-env';
import { describeConstruct, PropsValidator, propsOrEmpty } from '../core/validation';
import { warn } from '../core/warnings';

/** How member clusters' pods get their per-cluster identity. */
export enum FleetIdentity {
  /** Pod Identity where the cluster runs the `eks-pod-identity-agent` add-on, IRSA elsewhere. */
  AUTO = 'AUTO',
  /** Pod Identity associations in every cluster (the agent installed by any means). */
  POD_IDENTITY = 'POD_IDENTITY',
  /** Per-cluster IRSA roles only (needs each cluster's OIDC provider registered in IAM). */
  IRSA = 'IRSA',
}

/** How the StackSet's regions are rolled out. */
export enum FleetRegionConcurrency {
  /** Every region at once. */
  PARALLEL = 'PARALLEL',
  /** One region after another, in `regionOrder`. */
  SEQUENTIAL = 'SEQUENTIAL',
}

/** What failures do to a rollout's concurrency. */
export enum FleetFailureToleranceMode {
  /** Concurrency stays at the maximum whatever fails (the failure tolerance still stops the operation). */
  SOFT = 'SOFT_FAILURE_TOLERANCE',
  /** Concurrency is at most the failure tolerance + 1, and drops with each failure. */
  STRICT = 'STRICT_FAILURE_TOLERANCE',
}

/** Whether the StackSet is created by the management account or a delegated administrator. */
export enum FleetCallAs {
  /** The organization's management account. */
  SELF = 'SELF',
  /** A member account registered as delegated administrator for StackSets. */
  DELEGATED_ADMIN = 'DELEGATED_ADMIN',
}

/**
 * How a StackSet operation rolls out (CloudFormation's `StackSetOperationPreferences`). Set a count
 * or a percentage of each, not both.
 */
export interface FleetOperationPreferences {
  /**
   * Accounts deployed at once per region, as a percentage of the target accounts (rounded down, at least 1).
   *
   * @default 25 (unless maxConcurrentCount is set)
   */
  readonly maxConcurrentPercentage?: number;

  /**
   * Accounts deployed at once per region.
   *
   * @default - maxConcurrentPercentage
   */
  readonly maxConcurrentCount?: number;

  /**
   * Failed accounts per region, as a percentage (rounded down), after which the operation stops.
   * Below 10 accounts per region, 10% rounds down to 0: the first failure stops that region; give
   * `failureToleranceCount` for small OUs.
   *
   * @default 10 (unless failureToleranceCount is set)
   */
  readonly failureTolerancePercentage?: number;

  /**
   * Failed accounts per region after which the operation stops.
   *
   * @default - failureTolerancePercentage
   */
  readonly failureToleranceCount?: number;

  /**
   * Regions at once or one after another.
   *
   * @default FleetRegionConcurrency.PARALLEL
   */
  readonly regionConcurrency?: FleetRegionConcurrency;

  /**
   * The order of regions for SEQUENTIAL rollouts (each a region of the StackSet).
   *
   * @default - the order of `regions`
   */
  readonly regionOrder?: string[];

  /**
   * What failures do to concurrency.
   *
   * @default FleetFailureToleranceMode.SOFT
   */
  readonly failureToleranceMode?: FleetFailureToleranceMode;
}

/** A flow whose pods reach a central role: the role, and the service account its pods use. */
export interface FleetFlowTarget {
  /** The central role in the target account (deterministic; e.g. `IrsaRemoteWriteRole`'s `roleArn`). */
  readonly targetRoleArn: string;

  /**
   * The pods' service account in every member cluster.
   *
   * @default - the flow's usual one: `monitoring/prometheus` for remote write, `amazon-cloudwatch/cloudwatch-agent` for Container Insights
   */
  readonly serviceAccount?: ServiceAccountRef;
}

/** A named workload whose pods reach a central role. */
export interface FleetWorkload {
  /** Its name (lowercase letters, digits and "-", at most 27): the flow key is `workload-<name>`. */
  readonly name: string;
  /** The central role (e.g. a `CrossAccountWorkloadRole` in organization mode). */
  readonly targetRoleArn: string;
  /** The pods' service account in every member cluster. */
  readonly serviceAccount: ServiceAccountRef;
}

/**
 * The AMP managed-collector flow: the fleet creates each account's collector source role; each
 * cluster's collector is an `AmpCrossAccountScraper` with `fleetSourceRole` in the cluster's account.
 */
export interface FleetScraperTarget {
  /** The central `AmpScraperTargetRole` (organization mode) the collectors write through. */
  readonly targetRoleArn: string;

  /**
   * The workspace the target role writes to. A collector writes only to a workspace of its own
   * region (cluster, collector and workspace share one), and the organization target trust admits
   * only scrapers of the workspace's region: with it, the source role is created in that region's
   * instances only, and the other regions are named in a warning.
   *
   * @default - a source role in every region, and a warning when the fleet has more than one region
   */
  readonly workspaceArn?: string;
}

/**
 * Container cost for the organization: every member cluster's cost agent writes the organization's
 * one cost bucket (`OrganizationContainerCostBucket` in the central account), under
 * `<account>/<region>/<cluster>/` (`FleetNames.costPrefix`).
 */
export interface FleetContainerCost {
  /** The central bucket's name (`OrganizationContainerCostBucket.bucketName`). */
  readonly bucketName: string;

  /**
   * The cost agent's service account in every member cluster.
   *
   * @default { namespace: 'container-cost', name: 'container-cost-agent' }
   */
  readonly serviceAccount?: ServiceAccountRef;
}

/** CloudWatch cross-account observability: a link in every member account and region that has a sink. */
export interface FleetObservabilityLinks {
  /** The monitoring account's sink ARN per region (`OrganizationObservabilitySink`'s `SinkArn`); at most 10. */
  readonly sinkArns: Record<string, string>;

  /**
   * What each link shares.
   *
   * @default - metrics and log groups (Container Insights' only)
   */
  readonly resourceTypes?: ObservabilityResourceType[];
}

/**
 * Props of {@link ObservabilityFleetSource}.
 */
export interface ObservabilityFleetSourceProps {
  /** Where the StackSet deploys: organizational-unit IDs (`ou-...`) or the root (`r-...`); accounts that join later get it too. */
  readonly organizationalUnitIds: string[];

  /** The regions of every member account to deploy to (one partition, the stack's). */
  readonly regions: string[];

  /**
   * The StackSet's name (letters, digits, "-", starting with a letter, at most 64): it also names the
   * owner of every identity the member reconcilers create, and their permissions boundary. The fixed
   * role names are per flow and region, so two fleets may share an account only with different flows.
   *
   * @default 'xacct-observability-fleet'
   */
  readonly stackSetName?: string;

  /**
   * Prometheus remote write: per-cluster identities that reach the central remote-write role.
   *
   * @default - not rolled out
   */
  readonly remoteWrite?: FleetFlowTarget;

  /**
   * Container Insights through a central role (the `role_arn` route; use `observabilityLinks` for CloudWatch's own engine).
   * The fleet makes the identities, not the agents: with an organization-wide `TENANT_ISOLATED` central role,
   * each cluster's add-on or chart reports `CrossAccountContainerInsights.memberReportedClusterName(customer,
   * account, cluster)`. Every member of this fleet shares the one central role, which IAM cannot split by
   * account (`membersNotIsolated`): give OUs that must stay apart a fleet and a central role each.
   *
   * @default - not rolled out
   */
  readonly containerInsights?: FleetFlowTarget;

  /**
   * Container cost: per-cluster identities that write the organization's cost bucket, each only
   * under its own `<account>/<region>/<cluster>/`.
   *
   * @default - not rolled out
   */
  readonly containerCost?: FleetContainerCost;

  /**
   * The AMP managed collector: each account's collector source role, per region.
   *
   * @default - not rolled out
   */
  readonly ampScraper?: FleetScraperTarget;

  /**
   * Named workloads reaching central roles.
   *
   * @default - none
   */
  readonly workloads?: FleetWorkload[];

  /**
   * CloudWatch OAM links to the monitoring account's sinks.
   *
   * @default - none
   */
  readonly observabilityLinks?: FleetObservabilityLinks;

  /**
   * How member clusters' pods get their identity.
   *
   * @default FleetIdentity.AUTO
   */
  readonly identity?: FleetIdentity;

  /**
   * How often each member reconciler checks its clusters.
   *
   * @default Duration.hours(2)
   */
  readonly schedule?: Duration;

  /**
   * How operations roll out.
   *
   * @default - 25% of accounts at once per region, 10% failure tolerance, SOFT, regions in parallel
   */
  readonly operationPreferences?: FleetOperationPreferences;

  /**
   * Whether an account that leaves the OUs keeps its stack (and identities) instead of having it deleted.
   *
   * @default false
   */
  readonly retainStacksOnAccountRemoval?: boolean;

  /**
   * Who creates the StackSet.
   *
   * @default FleetCallAs.SELF
   */
  readonly callAs?: FleetCallAs;
}

/** The prop of each fixed flow, for messages. */
const FLOW_PROPS: Record<string, string> = {
  [FLEET_FLOW_KEYS.REMOTE_WRITE]: 'remoteWrite',
  [FLEET_FLOW_KEYS.CONTAINER_INSIGHTS]: 'containerInsights',
  [FLEET_FLOW_KEYS.CONTAINER_COST]: 'containerCost',
};

/** CreateStackSet's limit on an inline template (TemplateBody). */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;
/** CreateStackSet's limit on a template from S3 (TemplateURL; CloudFormation user guide, quotas). */
export const MAX_TEMPLATE_URL_BYTES = 1_048_576;
/** Lambda's limit on a function's environment variables, keys and values together. */
const MAX_LAMBDA_ENVIRONMENT_BYTES = 4_096;
/** What the member reconciler's other environment variables take at most (names and worst-case values). */
const OTHER_ENVIRONMENT_BYTES = 900;

const DEFAULT_SERVICE_ACCOUNTS = {
  remoteWrite: { namespace: 'monitoring', name: 'prometheus' },
  containerInsights: { namespace: 'amazon-cloudwatch', name: 'cloudwatch-agent' },
  containerCost: { namespace: 'container-cost', name: 'container-cost-agent' },
};

/**
 * The source side of the chosen flows in every account of the chosen OUs and regions, as one
 * CloudFormation StackSet with service-managed permissions and auto-deployment (accounts that join
 * the OUs get it, accounts that leave lose it). Deploy it in the organization's management account
 * or a StackSets delegated administrator; StackSets never deploy to the management account itself.
 *
 * Each member stack holds, per region: a fixed-name Pod Identity role per flow
 * (`FleetNames.podIdentityRoleArn`), the AMP collector source role, an OAM link, and a reconciler
 * that keeps, for every EKS cluster of the region, the identity each flow's pods use: a Pod Identity
 * association with `TargetRoleArn` = the central role where the cluster runs the Pod Identity agent,
 * otherwise an IRSA role on the cluster's own OIDC provider (`FleetNames.irsaRoleArn`) that may
 * assume the central role. The target side trusts them with `organizationSource`.
 *
 * The member template is self-contained: no CDK bootstrap is needed in member accounts.
 */
export class ObservabilityFleetSource extends Construct {
  /** The StackSet. */
  public readonly stackSet: cfn.CfnStackSet;

  /** The member template, as deployed to every account and region. */
  public readonly memberTemplate: any;

  /** The member template's size in bytes (compact JSON, as CloudFormation receives it). */
  public readonly memberTemplateSize: number;

  /** Whether the template goes inline (TemplateBody) rather than through an S3 asset of this account (TemplateURL). */
  public readonly templateInline: boolean;

  /** The StackSet's name. */
  public readonly stackSetName: string;

  private readonly partition: string;

  /**
   * @param scope a construct in the management (or delegated administrator) account's stack
   * @param id the construct ID
   * @param props the OUs, regions and flows
   */
  constructor(scope: Construct, id: string, props: ObservabilityFleetSourceProps) {
    super(scope, id);
    checkStackResourceBudget(this, 'ObservabilityFleetSource');
    props = propsOrEmpty(props);
    const v = new PropsValidator(describeConstruct('ObservabilityFleetSource', this.node.path)).inStackOf(this);
    this.partition = literalPartition(this);
    this.stackSetName = props.stackSetName ?? 'xacct-observability-fleet';
    const config = this.validate(v, props);
    v.throwIfAny();

    this.memberTemplate = renderMemberTemplate(config!);
    const body = JSON.stringify(this.memberTemplate);
    this.memberTemplateSize = Buffer.byteLength(body);
    const resources = Object.keys(this.memberTemplate.Resources ?? {}).length;
    if (resources > 500) throw new Error(`${describeConstruct('ObservabilityFleetSource', this.node.path)}: the member template has ${resources} resources, over CloudFormation's 500 per stack; roll out fewer workloads per StackSet`);
    if (this.memberTemplateSize > MAX_TEMPLATE_URL_BYTES) {
      throw new Error(`${describeConstruct('ObservabilityFleetSource', this.node.path)}: the member template is ${this.memberTemplateSize} bytes, over CreateStackSet's ${MAX_TEMPLATE_URL_BYTES} for a template from S3`);
    }
    this.templateInline = this.memberTemplateSize <= MAX_TEMPLATE_BODY_BYTES;
    const prefs = props.operationPreferences ?? {};
    // CfnStackSet rather than cdklabs' cdk-stacksets: its StackSetStack publishes Lambda assets to
    // per-region buckets the user must create and share with the organization (and it is
    // experimental, and one more jsii peer dependency). A member template without any asset needs
    // neither; CfnStackSet takes it as it is.
    this.stackSet = new cfn.CfnStackSet(this, 'Resource', {
      stackSetName: this.stackSetName,
      description: 'Source side of the EKS cross-account observability flows in every member account (cdk-eks-cross-account-observability)',
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: props.retainStacksOnAccountRemoval ?? false },
      callAs: props.callAs ?? FleetCallAs.SELF,
      capabilities: ['CAPABILITY_NAMED_IAM'],
      // Operations that touch different instances may run at once; others queue instead of failing.
      managedExecution: { Active: true },
      operationPreferences: {
        ...(prefs.maxConcurrentCount !== undefined
          ? { maxConcurrentCount: prefs.maxConcurrentCount }
          : { maxConcurrentPercentage: prefs.maxConcurrentPercentage ?? 25 }),
        ...(prefs.failureToleranceCount !== undefined
          ? { failureToleranceCount: prefs.failureToleranceCount }
          : { failureTolerancePercentage: prefs.failureTolerancePercentage ?? 10 }),
        regionConcurrencyType: prefs.regionConcurrency ?? FleetRegionConcurrency.PARALLEL,
        regionOrder: prefs.regionOrder ?? [...props.regions],
        concurrencyMode: prefs.failureToleranceMode ?? FleetFailureToleranceMode.SOFT,
      },
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: [...props.organizationalUnitIds] }, regions: [...props.regions] }],
      ...(this.templateInline ? { templateBody: body } : { templateUrl: this.templateAsset(body).httpUrl }),
    });
  }

  /**
   * What an organization-scoped target of a flow trusts (`organizationSource.sourcePrincipalPattern`).
   *
   * @param flowKey a flow key (`FleetNames.REMOTE_WRITE`, `FleetNames.workloadFlowKey(name)`, ...)
   */
  public sourcePrincipalPattern(flowKey: string): string {
    return fleetSourcePrincipalPattern(this.partition, flowKey);
  }

  private templateAsset(body: string): s3assets.Asset {
    // Too large to go inline: the template goes to this account's CDK asset bucket, which
    // CloudFormation reads as this account; member accounts never read it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-member-'));
    const file = path.join(dir, 'member.template.json');
    fs.writeFileSync(file, body);
    return new s3assets.Asset(this, 'MemberTemplate', { path: file });
  }

  private validate(v: PropsValidator, props: ObservabilityFleetSourceProps): FleetMemberConfig | undefined {
    if (props.stackSetName !== undefined && props.stackSetName !== null) {
      v.check('stackSetName', props.stackSetName, { expected: 'letters, digits and "-", starting with a letter, at most 64', check: (s) => (/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(s) ? undefined : 'does not match') });
      if (Token.isUnresolved(props.stackSetName)) v.problem('stackSetName', 'is a deploy-time value; the member template names its owner from it, so pass a literal');
    }
    if (v.required('organizationalUnitIds', props.organizationalUnitIds)) {
      v.list<string>('organizationalUnitIds', props.organizationalUnitIds, 'string').forEach((ou, i) => v.check(`organizationalUnitIds[${i}]`, ou, {
        expected: 'an organizational unit ID (ou-<root>-<8 to 32 characters>) or a root ID (r-<4 to 32 characters>)',
        check: (s) => (/^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/.test(s) ? undefined : 'does not match'),
      }));
    }
    const ous = Array.isArray(props.organizationalUnitIds) ? props.organizationalUnitIds : [];
    if (new Set(ous).size !== ous.length) v.problem('organizationalUnitIds', 'names an OU twice');
    const regions = v.required('regions', props.regions) ? v.list<string>('regions', props.regions, 'string') : [];
    regions.forEach((r, i) => {
      v.check(`regions[${i}]`, r, REGION);
      if (Token.isUnresolved(r)) v.problem(`regions[${i}]`, 'is a deploy-time value; the StackSet and its links need literal regions');
    });
    if (new Set(regions).size !== regions.length) v.problem('regions', 'names a region twice');

    const flows: FleetFlowConfig[] = [];
    // The member template is synthesized apart from this stack (it goes to every member account), so a
    // token of this stack cannot reach it: refused by name instead of "Cannot reference across apps".
    const memberLiteral = (prop: string, sa: ServiceAccountRef | undefined) => {
      if (!sa || typeof sa !== 'object') return;
      for (const key of ['namespace', 'name'] as const) {
        if (Token.isUnresolved(sa[key])) v.problem(`${prop}.${key}`, 'is a deploy-time value (token), but the member template is synthesized apart from this stack; pass a literal');
      }
    };
    const flow = (prop: 'remoteWrite' | 'containerInsights', key: string) => {
      const given = props[prop];
      if (given === undefined || given === null) return;
      if (typeof given !== 'object') {
        v.problem(prop, 'is not an object: { targetRoleArn, serviceAccount? }');
        return;
      }
      const sa = given.serviceAccount ?? DEFAULT_SERVICE_ACCOUNTS[prop];
      v.serviceAccount(`${prop}.serviceAccount`, sa);
      memberLiteral(`${prop}.serviceAccount`, sa);
      if (this.targetRole(v, `${prop}.targetRoleArn`, given.targetRoleArn) && isServiceAccount(sa)) flows.push({ key, namespace: sa.namespace, serviceAccount: sa.name, targetRoleArn: given.targetRoleArn });
    };
    flow('remoteWrite', FLEET_FLOW_KEYS.REMOTE_WRITE);
    flow('containerInsights', FLEET_FLOW_KEYS.CONTAINER_INSIGHTS);
    const names = new Set<string>();
    v.list<FleetWorkload>('workloads', props.workloads, 'object').forEach((w, i) => {
      const prop = `workloads[${i}]`;
      if (v.required(`${prop}.name`, w.name)) {
        v.check(`${prop}.name`, w.name, {
          expected: `lowercase letters, digits and "-" (not at the ends), at most ${MAX_FLOW_KEY_LENGTH - WORKLOAD_FLOW_KEY_PREFIX.length}`,
          check: (s) => (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(s) && WORKLOAD_FLOW_KEY_PREFIX.length + s.length <= MAX_FLOW_KEY_LENGTH ? undefined : 'does not match'),
        });
        if (names.has(w.name)) v.problem(`${prop}.name`, `${JSON.stringify(w.name)} is given twice`);
        names.add(w.name);
      }
      if (v.required(`${prop}.serviceAccount`, w.serviceAccount)) v.serviceAccount(`${prop}.serviceAccount`, w.serviceAccount);
      memberLiteral(`${prop}.serviceAccount`, w.serviceAccount);
      if (Token.isUnresolved(w.name)) v.problem(`${prop}.name`, 'is a deploy-time value (token); the member template\'s role names and construct IDs are built from it, so pass a literal');
      const nameOk = !v.hasProblemFor(`${prop}.name`);
      const ok = this.targetRole(v, `${prop}.targetRoleArn`, w.targetRoleArn);
      if (ok && nameOk && typeof w.name === 'string' && isServiceAccount(w.serviceAccount)) {
        const { namespace, name } = w.serviceAccount;
        flows.push({ key: workloadFlowKey(w.name), namespace, serviceAccount: name, targetRoleArn: w.targetRoleArn });
      }
    });
    this.containerCost(v, props.containerCost, flows);
    // One association per service account and cluster: two flows on one would take it from each other on every run.
    const byServiceAccount = new Map<string, string>();
    for (const f of flows) {
      const sa = `${f.namespace}/${f.serviceAccount}`;
      const other = byServiceAccount.get(sa);
      if (other) {
        v.problem(FLOW_PROPS[f.key] ?? 'workloads',
          `the ${f.key} flow uses service account ${sa}, as the ${other} flow does; a service account can reach one central role: give each flow its own`);
      }
      byServiceAccount.set(sa, f.key);
    }
    let scraperTargetRoleArn: string | undefined;
    let scraperRegion: string | undefined;
    if (props.ampScraper !== undefined && props.ampScraper !== null) {
      if (this.targetRole(v, 'ampScraper.targetRoleArn', props.ampScraper.targetRoleArn)) scraperTargetRoleArn = props.ampScraper.targetRoleArn;
      scraperRegion = this.scraperRegion(v, props.ampScraper, regions);
    }
    const sinkArnsByRegion = this.sinks(v, props.observabilityLinks, regions);
    if (props.observabilityLinks !== undefined && props.observabilityLinks !== null) {
      checkResourceTypes(v, props.observabilityLinks.resourceTypes, 'observabilityLinks.resourceTypes');
    }
    if (flows.length === 0 && !scraperTargetRoleArn && !sinkArnsByRegion) {
      v.problem('remoteWrite', 'no flow is chosen: give at least one of remoteWrite, containerInsights, containerCost, ampScraper, workloads, observabilityLinks');
    }
    v.oneOf('identity', props.identity, FleetIdentity);
    this.preferences(v, props.operationPreferences, regions);
    v.boolean('retainStacksOnAccountRemoval', props.retainStacksOnAccountRemoval);
    v.oneOf('callAs', props.callAs, FleetCallAs);
    const schedule = props.schedule ?? Duration.hours(2);
    if (!(schedule instanceof Duration)) {v.problem('schedule', 'is not a Duration');} else if (!schedule.isUnresolved() && (schedule.toMinutes({ integral: false }) < 5 || schedule.toDays({ integral: false }) > 1)) {
      v.problem('schedule', `is ${schedule.toHumanString()}; expected 5 minutes to 1 day`);
    }
    const flowsJson = Buffer.byteLength(JSON.stringify(flows));
    if (flowsJson + OTHER_ENVIRONMENT_BYTES > MAX_LAMBDA_ENVIRONMENT_BYTES) {
      v.problem('workloads', `the member reconciler's configuration needs about ${flowsJson + OTHER_ENVIRONMENT_BYTES} bytes of environment, over Lambda's ${MAX_LAMBDA_ENVIRONMENT_BYTES}; roll out fewer workloads per StackSet`);
    }
    return {
      stackSetName: this.stackSetName,
      flows,
      scraperTargetRoleArn,
      scraperRegion,
      identity: (props.identity ?? FleetIdentity.AUTO) as FleetMemberConfig['identity'],
      sinkArnsByRegion,
      linkResourceTypes: props.observabilityLinks?.resourceTypes,
      schedule: schedule instanceof Duration ? schedule : Duration.hours(2),
    };
  }

  /**
   * The region whose instances get the collector source role: the workspace's. AMP: cluster, collector
   * and workspace share a region (AMP user guide, "Using an AWS managed collector"); the organization
   * target trust requires the external ID to be a scraper of the workspace's region.
   */
  private scraperRegion(v: PropsValidator, target: FleetScraperTarget, regions: readonly string[]): string | undefined {
    const workspaceArn = target.workspaceArn;
    if (workspaceArn === undefined || workspaceArn === null) {
      if (regions.length > 1) {
        warn(this, 'fleetScraperRegions', `ampScraper: collectors write only to a workspace of their own region, and the organization target trust admits only the workspace region's scrapers; without ampScraper.workspaceArn every region (${regions.join(', ')}) gets a collector source role, but only the workspace's region can use it. Give workspaceArn.`);
      }
      return undefined;
    }
    if (typeof workspaceArn === 'string' && Token.isUnresolved(workspaceArn)) {
      v.problem('ampScraper.workspaceArn', 'is a deploy-time value of this stack; the workspace lives in another account: pass its ARN as a string');
      return undefined;
    }
    const before = v.problemCount;
    v.check('ampScraper.workspaceArn', workspaceArn, arnRule(ArnKind.APS_WORKSPACE));
    if (v.problemCount !== before) return undefined;
    const workspace = parseArn(workspaceArn)!;
    const targetRole = typeof target.targetRoleArn === 'string' ? parseArn(target.targetRoleArn) : undefined;
    if (targetRole && targetRole.account !== workspace.account) {
      v.problem('ampScraper.targetRoleArn', `is in account ${targetRole.account}; the target role must be in the workspace's account (${workspace.account})`);
    }
    if (!regions.includes(workspace.region)) {
      v.problem('ampScraper.workspaceArn', `is in ${workspace.region}, which is not one of regions (${regions.join(', ')}): no member collector could write to it (cluster, collector and workspace share a region)`);
      return undefined;
    }
    const others = regions.filter((r) => r !== workspace.region);
    if (others.length > 0) {
      warn(this, 'fleetScraperRegions', `ampScraper: the workspace is in ${workspace.region}, and a collector writes only to a workspace of its own region (the organization target trust admits only ${workspace.region} scrapers); the collector source role is created in ${workspace.region} only, and clusters in ${others.join(', ')} get no collector. Give those regions a workspace and target role of their own (another StackSet).`);
    }
    return workspace.region;
  }

  /** The container-cost flow: the central bucket's name, literal (the member template names it). */
  private containerCost(v: PropsValidator, cost: FleetContainerCost | undefined, flows: FleetFlowConfig[]): void {
    if (cost === undefined || cost === null) return;
    if (typeof cost !== 'object' || Array.isArray(cost)) {
      v.problem('containerCost', 'is not an object: { bucketName, serviceAccount? }');
      return;
    }
    const sa = cost.serviceAccount ?? DEFAULT_SERVICE_ACCOUNTS.containerCost;
    v.serviceAccount('containerCost.serviceAccount', sa);
    if (sa && typeof sa === 'object') {
      for (const key of ['namespace', 'name'] as const) {
        // As for the other flows: the member template is synthesized apart from this stack.
        if (Token.isUnresolved(sa[key])) v.problem(`containerCost.serviceAccount.${key}`, 'is a deploy-time value (token), but the member template is synthesized apart from this stack; pass a literal');
      }
    }
    if (!v.required('containerCost.bucketName', cost.bucketName)) return;
    if (typeof cost.bucketName === 'string' && Token.isUnresolved(cost.bucketName)) {
      v.problem('containerCost.bucketName', 'is a deploy-time value of this stack; the bucket lives in the central account: pass its name as a string (OrganizationContainerCostBucket.bucketName)');
      return;
    }
    const before = v.problemCount;
    // S3 general purpose bucket naming rules: 3-63 characters, a-z 0-9 . -, starting and ending with a letter or digit.
    v.check('containerCost.bucketName', cost.bucketName, {
      expected: 'an S3 bucket name (3-63 characters from a-z 0-9 . -, starting and ending with a letter or digit)',
      check: (s) => (/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s) && !s.includes('..') ? undefined : 'does not match'),
    });
    if (v.problemCount === before && sa && typeof sa === 'object') {
      flows.push({ key: FLEET_FLOW_KEYS.CONTAINER_COST, namespace: sa.namespace, serviceAccount: sa.name, costBucketName: cost.bucketName });
    }
  }

  /** A central role: an IAM role ARN of this partition, literal (the member template names it), no wildcard. */
  private targetRole(v: PropsValidator, prop: string, arn: unknown): boolean {
    if (!v.required(prop, arn)) return false;
    if (typeof arn === 'string' && Token.isUnresolved(arn)) {
      v.problem(prop, 'is a deploy-time value of this stack; a central role lives in another account: pass its deterministic ARN as a string');
      return false;
    }
    const before = v.problemCount;
    v.check(prop, arn as string, arnRule(ArnKind.IAM_ROLE));
    if (typeof arn === 'string' && /[*?]/.test(arn)) v.problem(prop, 'has a wildcard; name exactly one role');
    return v.problemCount === before;
  }

  private sinks(v: PropsValidator, links: FleetObservabilityLinks | undefined, regions: readonly string[]): Record<string, string> | undefined {
    if (links === undefined || links === null) return undefined;
    const sinks = links.sinkArns;
    if (sinks === undefined || sinks === null || typeof sinks !== 'object' || Array.isArray(sinks) || Object.keys(sinks).length === 0) {
      v.problem('observabilityLinks.sinkArns', 'needs a sink ARN for at least one region: { "<region>": "arn:<partition>:oam:<region>:<account>:sink/<id>" }');
      return undefined;
    }
    const entries = Object.entries(sinks);
    if (entries.length > 10) v.problem('observabilityLinks.sinkArns', `has ${entries.length} regions; at most 10 (a CloudFormation condition ORs at most 10)`);
    for (const [region, arn] of entries) {
      const prop = `observabilityLinks.sinkArns.${region}`;
      if (!regions.includes(region)) v.problem(prop, `is for ${region}, which is not one of regions`);
      const sink = typeof arn === 'string' ? parseArn(arn) : undefined;
      if (sink && !PARTITIONS.includes(sink.partition)) {
        v.problem(prop, `is in partition "${sink.partition}", which is not an AWS partition (${PARTITIONS.join(', ')})`);
      } else if (!sink || sink.service !== 'oam' || !/^sink\/[\w-]+$/.test(sink.resource) || !/^\d{12}$/.test(sink.account)) {
        v.problem(prop, `got ${JSON.stringify(arn)}; expected a sink ARN: arn:<partition>:oam:<region>:<12-digit account>:sink/<id>`);
      } else if (sink.region !== region) {
        v.problem(prop, `is a sink in ${sink.region}; a link must be in its sink's region (${region})`);
      } else if (sink.partition !== this.partition) {
        v.problem(prop, `is in partition ${sink.partition}, but this stack is in ${this.partition}`);
      }
    }
    return Object.fromEntries(entries);
  }

  private preferences(v: PropsValidator, prefs: FleetOperationPreferences | undefined, regions: readonly string[]): void {
    if (prefs === undefined || prefs === null) return;
    if (typeof prefs !== 'object' || Array.isArray(prefs)) {
      v.problem('operationPreferences', 'is not an object');
      return;
    }
    v.integer('operationPreferences.maxConcurrentPercentage', prefs.maxConcurrentPercentage, 1, 100);
    v.integer('operationPreferences.maxConcurrentCount', prefs.maxConcurrentCount, 1, 100_000);
    v.integer('operationPreferences.failureTolerancePercentage', prefs.failureTolerancePercentage, 0, 100);
    v.integer('operationPreferences.failureToleranceCount', prefs.failureToleranceCount, 0, 100_000);
    if (prefs.maxConcurrentPercentage !== undefined && prefs.maxConcurrentCount !== undefined) {
      v.problem('operationPreferences.maxConcurrentCount', 'and maxConcurrentPercentage are both set; set one');
    }
    if (prefs.failureTolerancePercentage !== undefined && prefs.failureToleranceCount !== undefined) {
      v.problem('operationPreferences.failureToleranceCount', 'and failureTolerancePercentage are both set; set one');
    }
    v.oneOf('operationPreferences.regionConcurrency', prefs.regionConcurrency, FleetRegionConcurrency);
    v.oneOf('operationPreferences.failureToleranceMode', prefs.failureToleranceMode, FleetFailureToleranceMode);
    const order = v.list<string>('operationPreferences.regionOrder', prefs.regionOrder, 'string');
    order.filter((r) => !regions.includes(r)).forEach((r) => v.problem('operationPreferences.regionOrder', `names ${r}, which is not one of regions`));
    if (order.length > 0 && (order.length !== regions.length || new Set(order).size !== order.length)) v.problem('operationPreferences.regionOrder', 'must name every region once');
  }
}

/** The member template: a stack of its own, in an App of its own (never deployed by the CLI), synthesized to JSON. */
export function renderMemberTemplate(config: FleetMemberConfig): any {
  checkMemberConfig(config);
  // An explicit outdir: under the CLI, CDK_OUTDIR would make this App write over the real cloud assembly.
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-member-app-')), analyticsReporting: false, autoSynth: false });
  const stack = new FleetMemberStack(app, 'Member', config);
  const template = app.synth().getStackByName(stack.stackName).template;
  fs.rmSync(app.outdir, { recursive: true, force: true });
  // Resources and Outputs only: a condition's Fn::Equals takes no Fn::Sub (nor Fn::Join).
  return { ...template, Resources: compactTemplate(template.Resources), ...(template.Outputs ? { Outputs: compactTemplate(template.Outputs) } : {}) };
}

/** `renderMemberTemplate`'s argument, checked for a caller the types do not protect (the fleet source builds a valid one). */
function checkMemberConfig(config: FleetMemberConfig): void {
  const a = new ArgumentChecker('renderMemberTemplate(config)');
  if (a.object('config', config, 'a FleetMemberConfig object (the member stack\'s props)')) {
    a.string('config.stackSetName', config.stackSetName, STACK_SET_NAME);
    a.string('config.scraperTargetRoleArn', config.scraperTargetRoleArn, arnRule(ArnKind.IAM_ROLE), { optional: true });
    a.string('config.scraperRegion', config.scraperRegion, REGION, { optional: true });
    if (!['AUTO', 'POD_IDENTITY', 'IRSA'].includes(config.identity as string)) a.problem('config.identity', 'expected AUTO, POD_IDENTITY or IRSA');
    if (!(config.schedule instanceof Duration)) a.problem('config.schedule', 'expected a Duration');
    if (!Array.isArray(config.flows)) {
      a.problem('config.flows', 'expected a list of flows');
    } else {
      config.flows.forEach((flow, i) => {
        const at = `config.flows[${i}]`;
        if (!a.object(at, flow, 'a flow ({ key, namespace, serviceAccount })')) return;
        a.string(`${at}.key`, flow.key, FLOW_KEY);
        a.string(`${at}.namespace`, flow.namespace, K8S_NAMESPACE);
        a.string(`${at}.serviceAccount`, flow.serviceAccount, K8S_NAME);
        a.string(`${at}.targetRoleArn`, flow.targetRoleArn, arnRule(ArnKind.IAM_ROLE), { optional: true });
        a.string(`${at}.costBucketName`, flow.costBucketName, undefined, { optional: true });
      });
    }
    if (config.sinkArnsByRegion !== undefined && config.sinkArnsByRegion !== null && a.object('config.sinkArnsByRegion', config.sinkArnsByRegion, 'a map of region to OAM sink ARN')) {
      for (const [region, arn] of Object.entries(config.sinkArnsByRegion)) a.string(`config.sinkArnsByRegion.${region}`, arn);
    }
    if (config.linkResourceTypes !== undefined && config.linkResourceTypes !== null) {
      a.stringList('config.linkResourceTypes', config.linkResourceTypes, { expected: 'an ObservabilityResourceType', check: (t) => (Object.values(ObservabilityResourceType).includes(t as ObservabilityResourceType) ? undefined : 'unknown type') });
    }
  }
  a.result(() => undefined);
}

/** A StackSet name (CloudFormation CreateStackSet: `[a-zA-Z][-a-zA-Z0-9]*`, at most 128 characters). */
const STACK_SET_NAME = { expected: 'a StackSet name: a letter, then letters, digits and -, at most 128 characters', check: (v: string) => (/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(v) ? undefined : 'does not match') };

/** A service account whose namespace and name are strings (validation has named anything else). */
function isServiceAccount(sa: unknown): sa is ServiceAccountRef {
  return !!sa && typeof sa === 'object' && typeof (sa as ServiceAccountRef).namespace === 'string' && typeof (sa as ServiceAccountRef).name === 'string';
}
