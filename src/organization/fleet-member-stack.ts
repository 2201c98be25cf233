/**
 * The stack a fleet StackSet puts into every member account and region: each flow's fixed-name
 * source identities, the member reconciler that keeps the per-cluster ones, and optionally the
 * CloudWatch OAM link. Self-contained: no CDK bootstrap in member accounts (no asset, no bootstrap
 * version parameter; the reconciler's code is inline and it answers CloudFormation itself), and
 * account-agnostic (every account, region and partition is a pseudo parameter).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { Aws, CfnCondition, CfnMapping, CfnResource, CustomResource, Duration, Fn, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { costStatements, fleetBoundaryStatements, memberReconcilerStatements, POD_IDENTITY_COST_PREFIX, podIdentityRoleTrust } from './fleet-member-policy';
import { fleetPodIdentityRoleName, fleetRolePath, fleetScraperSourceRoleName, FLEET_FLOW_KEYS, FLEET_RECONCILER_PATH } from './fleet-names';
import { FLEET_ENV } from './fleet-sync/config';
import { FleetFlowConfig, FleetIdentityChoice, fleetFenceTag, fleetOwnerKey } from './fleet-sync/desired';
import { ObservabilityLink } from './observability-link';
import { ObservabilityResourceType } from './observability-resource-type';
import { assumeTargetRolePolicy, scraperServiceTrustPolicy } from '../amp-scraper/scraper-source-trust';
import { acknowledgeNagFinding, nagResourceName } from '../core/nag';
import { stableHash } from '../core/naming';
import { creationFenceStatements } from '../core/reconciler/fences';
import { selfContainedStackProps } from '../core/self-contained-stack';

/** What goes into the member template (validated by `ObservabilityFleetSource`). */
export interface FleetMemberConfig {
  readonly stackSetName: string;
  /** Flows whose pods get a per-cluster identity (remote write, Container Insights, workloads). */
  readonly flows: FleetFlowConfig[];
  /** The AMP collector's central target role, when the fleet creates the scraper source role. */
  readonly scraperTargetRoleArn?: string;
  /** The workspace's region: the only one whose instances get the scraper source role (all, when absent). */
  readonly scraperRegion?: string;
  readonly identity: FleetIdentityChoice;
  /** OAM sinks by region: a link is created in the regions listed. */
  readonly sinkArnsByRegion?: Record<string, string>;
  readonly linkResourceTypes?: ObservabilityResourceType[];
  readonly schedule: Duration;
  /**
   * Inline the reconciler brotli-compressed behind a loader (`fleetHandlerCode`) rather than as the
   * readable bundle. The fleet source asks for it only when the readable template would not fit
   * CreateStackSet's inline limit: readable code is what a member account's reviewer and code scanners see.
   */
  readonly compressHandler?: boolean;
}

/** The member reconciler as the build bundled and minified it (`assets/organization/fleet-sync.handler/index.js`). */
export function fleetHandlerBundle(): string {
  const file = path.join(__dirname, '..', '..', 'assets', 'organization', 'fleet-sync.handler', 'index.js');
  if (!fs.existsSync(file)) throw new Error(`the fleet reconciler's bundled code is missing (${file}): run \`npx projen bundle\``);
  return fs.readFileSync(file, 'utf8');
}

/** The inline loader, around the base64 of the compressed bundle (every other character of the code is literal). */
const LOADER_HEAD = '// The fleet reconciler of cdk-eks-cross-account-observability: the package\'s assets/organization/fleet-sync.handler/index.js, brotli and base64 (keeps the member template inline)\n'
  + '"use strict";new Function("exports","require","module","__filename","__dirname",require("zlib").brotliDecompressSync(Buffer.from("';
const LOADER_TAIL = '","base64")).toString("utf8"))(exports,require,module,__filename,__dirname);\n';

/**
 * The member reconciler's inline code (`ZipFile`, which CloudFormation writes to index.js): the bundle,
 * brotli-compressed, and a loader that runs it as the CommonJS module it is (its own `module`,
 * `exports` and `require`). The bundle is 30 KB; compressed and in base64 it is 13 KB, which is what
 * keeps a template with every flow under CreateStackSet's 51,200 bytes inline (no asset bucket in the
 * management account either). The code run is the bundle byte for byte (`fleetHandlerBundleOf`).
 * Brotli's encoder is deterministic for a given library version (1.1.0 in Node.js 20 and 22 alike), so
 * a synth gives the same template wherever the bundle is the same.
 */
export function fleetHandlerCode(): string {
  const { BROTLI_PARAM_QUALITY, BROTLI_MAX_QUALITY, BROTLI_PARAM_MODE, BROTLI_MODE_TEXT } = zlib.constants;
  const compressed = zlib.brotliCompressSync(Buffer.from(fleetHandlerBundle(), 'utf8'), {
    params: { [BROTLI_PARAM_QUALITY]: BROTLI_MAX_QUALITY, [BROTLI_PARAM_MODE]: BROTLI_MODE_TEXT },
  });
  return `${LOADER_HEAD}${compressed.toString('base64')}${LOADER_TAIL}`;
}

/** The bundle an inline loader carries (the inverse of `fleetHandlerCode`, for tests and audits); undefined if it is not one. */
export function fleetHandlerBundleOf(zipFile: string): string | undefined {
  if (!zipFile.startsWith(LOADER_HEAD) || !zipFile.endsWith(LOADER_TAIL)) return undefined;
  const base64 = zipFile.slice(LOADER_HEAD.length, zipFile.length - LOADER_TAIL.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return undefined;
  return zlib.brotliDecompressSync(Buffer.from(base64, 'base64')).toString('utf8');
}

/** This instance's collector source role (deterministic). */
function scraperSourceRoleArn(): string {
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role${fleetRolePath(FLEET_FLOW_KEYS.AMP_SCRAPER)}${fleetScraperSourceRoleName(Aws.REGION)}`;
}

/** A stack of the member template. Build it in an App of its own: it is never deployed by the CDK CLI. */
export class FleetMemberStack extends Stack {
  constructor(scope: Construct, id: string, config: FleetMemberConfig) {
    // The same self-contained options as the vendor's customer templates (one source of truth).
    super(scope, id, selfContainedStackProps(`Source side of the ${config.stackSetName} observability fleet (cdk-eks-cross-account-observability)`));
    const perCluster = config.flows.length > 0;
    const podIdentityRoles = config.identity === 'IRSA' ? [] : config.flows.map((flow) => this.podIdentityRole(flow));
    const scraperRole = config.scraperTargetRoleArn ? this.scraperSourceRole(config.scraperTargetRoleArn, config.scraperRegion) : undefined;
    if (perCluster) this.reconciler(config, podIdentityRoles, scraperRole);
    if (config.sinkArnsByRegion && Object.keys(config.sinkArnsByRegion).length > 0) this.link(config.sinkArnsByRegion, config.linkResourceTypes);
  }

  /**
   * One per flow and region (IAM is global; instances are regional): EKS assumes it, then the central
   * role; for container cost it is the pod's identity itself, writing its cluster's prefix of the bucket.
   */
  private podIdentityRole(flow: FleetFlowConfig): iam.CfnRole {
    const roleName = fleetPodIdentityRoleName(flow.key, Aws.REGION);
    const policy = flow.costBucketName
      ? {
        policyName: 'write-cost-prefix',
        policyDocument: new iam.PolicyDocument({ statements: costStatements(flow.costBucketName, POD_IDENTITY_COST_PREFIX) }),
      }
      : {
        policyName: 'assume-central-role',
        // Pod Identity's session tags are transitive into the chained session: TagSession too.
        policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: flow.targetRoleArn }] },
      };
    const role = new iam.CfnRole(this, `PodIdentity-${flow.key}`, {
      roleName,
      path: fleetRolePath(flow.key),
      // No ARN in descriptions (the policy names it): the member template must stay inline.
      description: `EKS Pod Identity role of the ${flow.key} flow`,
      assumeRolePolicyDocument: podIdentityRoleTrust(flow.namespace, flow.serviceAccount),
      policies: [policy],
    });
    if (flow.costBucketName) {
      acknowledgeNagFinding(role, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${flow.costBucketName}/<AWS::AccountId>/<AWS::Region>/<aws:PrincipalTag/eks-cluster-name>/*]`,
        'The cost agent writes objects it names itself, under its own cluster\'s prefix (the cluster name from the Pod Identity session tag); the central bucket policy admits only this account\'s prefix.');
    }
    return role;
  }

  /** The account's AMP collector source role in this region (the collectors name it in their RoleConfiguration). */
  private scraperSourceRole(targetRoleArn: string, workspaceRegion?: string): iam.CfnRole {
    const role = new iam.CfnRole(this, 'ScraperSource', {
      roleName: fleetScraperSourceRoleName(Aws.REGION),
      path: fleetRolePath(FLEET_FLOW_KEYS.AMP_SCRAPER),
      description: 'Source role of this account\'s AMP collectors in this region',
      // The same trust and permission as the vendor's AmpCollectorCustomerTemplate (one source of truth).
      assumeRolePolicyDocument: scraperServiceTrustPolicy(),
      policies: [assumeTargetRolePolicy(targetRoleArn)],
    });
    if (workspaceRegion) {
      // A collector writes only to a workspace of its own region: the role is of no use elsewhere.
      role.cfnOptions.condition = new CfnCondition(this, 'InWorkspaceRegion', { expression: Fn.conditionEquals(Aws.REGION, workspaceRegion) });
    }
    return role;
  }

  private reconciler(config: FleetMemberConfig, podIdentityRoles: iam.CfnRole[], scraperRole?: iam.CfnRole): void {
    const ownerKey = fleetOwnerKey(config.stackSetName, Aws.REGION);
    // Named after the StackSet: two fleets with other flows can share an account (the fixed role names are per flow).
    const boundaryName = `${config.stackSetName}-boundary-${Aws.REGION}`;
    const boundary = new iam.ManagedPolicy(this, 'Boundary', {
      managedPolicyName: boundaryName,
      path: '/xacct-observability/',
      description: 'Permissions boundary of the fleet\'s per-cluster IRSA roles: assume the central roles (or write this account\'s cost prefix), nothing else',
      statements: fleetBoundaryStatements(
        config.flows.flatMap((f) => (f.targetRoleArn ? [f.targetRoleArn] : [])),
        config.flows.find((f) => f.costBucketName)?.costBucketName,
      ),
    });
    const costBucket = config.flows.find((f) => f.costBucketName)?.costBucketName;
    if (costBucket) {
      acknowledgeNagFinding(boundary, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${costBucket}/<AWS::AccountId>/<AWS::Region>/*]`,
        'The boundary caps a per-cluster cost role at this account\'s prefix of this region in the organization\'s bucket; each role\'s own policy names its cluster.');
    }
    const boundaryArn = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:policy/xacct-observability/${boundaryName}`;
    const rolePaths = [...new Set(config.flows.map((f) => fleetRolePath(f.key)))];
    const logGroup = new logs.LogGroup(this, 'ReconcilerLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'ReconcilerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      // The path the fleet's service control policy exempts (FleetIdentityGuardrail).
      path: FLEET_RECONCILER_PATH,
      description: 'Keeps the fleet\'s per-cluster identities of this region, and only those',
      inlinePolicies: {
        Reconcile: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'Logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
            ...memberReconcilerStatements({
              rolePaths,
              ownerKey,
              boundaryArn,
              podIdentityRoleArns: podIdentityRoles.map((r) => r.attrArn),
              // The collector source role by name: it may be conditional (a GetAtt of it could not be resolved where it is absent).
              fixedRoleArns: [...podIdentityRoles.map((r) => r.attrArn), ...(scraperRole ? [scraperSourceRoleArn()] : [])],
            }),
          ],
        }),
      },
    });
    const fenceTag = fleetFenceTag(ownerKey);
    Tags.of(role).add(fenceTag, 'true');
    creationFenceStatements(role.roleArn, fenceTag).forEach((statement) => role.addToPrincipalPolicy(statement));
    const code = config.compressHandler ? fleetHandlerCode() : fleetHandlerBundle();
    const fn = new lambda.Function(this, 'Reconciler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(code),
      role,
      logGroup,
      timeout: Duration.minutes(15),
      memorySize: 512,
      description: 'Keeps one identity per EKS cluster and flow of the observability fleet (cdk-eks-cross-account-observability)',
      environment: {
        [FLEET_ENV.PARTITION]: Aws.PARTITION,
        [FLEET_ENV.ACCOUNT]: Aws.ACCOUNT_ID,
        [FLEET_ENV.REGION]: Aws.REGION,
        [FLEET_ENV.OWNER_KEY]: ownerKey,
        [FLEET_ENV.BOUNDARY_ARN]: boundaryArn,
        [FLEET_ENV.RECONCILER_ROLE]: role.roleName,
        [FLEET_ENV.IDENTITY]: config.identity,
        [FLEET_ENV.FLOWS]: JSON.stringify(config.flows),
        [FLEET_ENV.STACK_ID]: Aws.STACK_ID,
      },
    });
    // Without the Provider framework (its code is an asset), CloudFormation invokes the function itself.
    const sync = new CustomResource(this, 'Identities', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::ObservabilityFleetIdentities',
      // Past the function's 15 minutes no answer can come: CloudFormation stops waiting then, not after an hour.
      serviceTimeout: Duration.minutes(16),
      properties: {
        OwnerKey: ownerKey,
        BoundaryArn: boundaryArn,
        ReconcilerRoleName: role.roleName,
        FlowKeys: config.flows.map((f) => f.key).join(','),
        Region: Aws.REGION,
        // Any change of configuration reconciles again at deploy time (the flows themselves are in the environment).
        FlowsHash: stableHash(JSON.stringify(config.flows), 16),
        Identity: config.identity,
        // New reconciler code reconciles again too (the code that runs, whatever its compressed form).
        CodeHash: stableHash(fleetHandlerBundle(), 16),
      },
    });
    // The one resource whose Delete the function acts on (a forged Delete may name any other).
    fn.addEnvironment(FLEET_ENV.LOGICAL_ID, (sync.node.defaultChild as CfnResource).logicalId);
    // The boundary and the Pod Identity roles outlive the identities that use them.
    sync.node.addDependency(boundary, role, ...podIdentityRoles);
    const rule = new events.Rule(this, 'Schedule', {
      schedule: events.Schedule.rate(config.schedule),
      description: 'Reconciles the fleet\'s per-cluster identities with the EKS clusters of this region',
      targets: [new targets.LambdaFunction(fn, { event: events.RuleTargetInput.fromObject({ source: 'xacct-observability-fleet-schedule' }) })],
    });
    rule.node.addDependency(sync);

    acknowledgeNagFinding(fn, 'AwsSolutions-L1',
      'The library targets the Node.js 22 Lambda runtime (supported until 2027-04-30) for its handlers; moving to a newer runtime is a deliberate release step.');
    for (const rolePath of rolePaths) {
      acknowledgeNagFinding(role, `AwsSolutions-IAM5[Resource::${nagResourceName(this, `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role${rolePath}*`)}]`,
        'Per-cluster roles are created at exactly the flow\'s fleet path (deeper paths denied), only with this instance\'s boundary and owner tag; changes need both.');
    }
    acknowledgeNagFinding(role, `AwsSolutions-IAM5[Resource::${nagResourceName(this, `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/xacct-observability/*`)}]`,
      'Under the fleet\'s root path the reconciler may read roles, and delete only those with this instance\'s owner tag and boundary (a flow an update dropped).');
    acknowledgeNagFinding(role, 'AwsSolutions-IAM5[Resource::*]',
      'iam:GetAccountAuthorizationDetails (read-only: the drift check), iam:ListOpenIDConnectProviders and eks:ListClusters have no resource-level permissions; every other * is in a Deny.');
    acknowledgeNagFinding(role, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:<AWS::Region>:<AWS::AccountId>:cluster/*]',
      'The reconciler describes every cluster of this account in this region, and creates associations there only with its owner tag.');
    acknowledgeNagFinding(role, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:<AWS::Region>:<AWS::AccountId>:podidentityassociation/*]',
      'Associations are read in this region\'s clusters; created, changed and deleted only with this instance\'s owner tag.');
  }

  /** The OAM link where the monitoring account has a sink in this region (a link must be in its sink's region). */
  private link(sinkArnsByRegion: Record<string, string>, resourceTypes?: ObservabilityResourceType[]): void {
    const regions = Object.keys(sinkArnsByRegion).sort();
    new CfnMapping(this, 'SinkByRegion', { mapping: Object.fromEntries(regions.map((r) => [r, { SinkArn: sinkArnsByRegion[r] }])) });
    const equalities = regions.map((r) => Fn.conditionEquals(Aws.REGION, r));
    // Fn::Or takes 2 to 10 conditions; one region needs none.
    const hasSink = new CfnCondition(this, 'HasSink', {
      expression: equalities.length === 1 ? equalities[0] : Fn.conditionOr(...equalities),
    });
    const link = new ObservabilityLink(this, 'Link', { sinkArn: Fn.findInMap('SinkByRegion', Aws.REGION, 'SinkArn'), resourceTypes });
    link.link.cfnOptions.condition = hasSink;
  }
}
