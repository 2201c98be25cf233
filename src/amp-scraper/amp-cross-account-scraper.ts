import { CfnOutput, CustomResource, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { scraperSourceRoleName } from './names';
import { pinTrustProvider } from './pin-trust-provider';
import { defaultScrapeConfig, scrapeConfigProblems, scrapeConfigWarnings, scrapeConfigYaml } from './scrape-config';
import { ArgumentChecker } from '../core/arguments';
import { stableHash } from '../core/naming';
import { validateRoleNamesUnique } from '../core/role-name-uniqueness';
import { createRoleWithTrust, TrustStatement } from '../core/role-trust';
import { ArnKind, arnRule, EKS_CLUSTER_NAME, IAM_ROLE_NAME, parseArn, SSM_PARAMETER_NAME } from '../core/rules';
import { checkStackResourceBudget } from '../core/stack-budget';
import { literalAccount, literalRegion, plainRoleArn } from '../core/stack-env';
import { describeConstruct, PropsValidator, propsOrEmpty } from '../core/validation';
import { warn } from '../core/warnings';
import { FLEET_FLOW_KEYS, fleetRolePath, fleetScraperSourceRoleName } from '../organization/fleet-names';

/**
 * Props of {@link AmpCrossAccountScraper}.
 */
export interface AmpCrossAccountScraperProps {
  /** The EKS cluster to scrape, in this stack's account and region. Its endpoint needs private access. */
  readonly clusterArn: string;

  /**
   * 2 to 5 subnets of the cluster's VPC where the collector places its network interfaces, in at
   * least two Availability Zones (the AMP user guide asks for that; a subnet ID does not tell its
   * zone at synth time, so only the count is checked).
   */
  readonly subnetIds: string[];

  /**
   * Security groups for the collector's network interfaces.
   *
   * @default - the VPC's default security group
   */
  readonly securityGroupIds?: string[];

  /** The AMP workspace in the other account, in the same region as the cluster. */
  readonly workspaceArn: string;

  /** The workspace account's role (`AmpScraperTargetRole.roleArn`). */
  readonly targetRoleArn: string;

  /**
   * A Prometheus scrape configuration (YAML). Checked at synth against AMP's rules: intervals of at
   * least 30 s, IP addresses (not DNS names) as static targets.
   *
   * @default - `AmpCrossAccountScraper.defaultScrapeConfiguration(clusterArn)`
   */
  readonly scrapeConfiguration?: string;

  /**
   * The scraper's alias (1-100 characters, `[0-9A-Za-z][-.0-9A-Z_a-z]*`).
   *
   * @default - none
   */
  readonly alias?: string;

  /**
   * The source role's name. The target side must be told (`AmpScraperTargetRole.sourceRoleName`).
   * Refused with `fleetSourceRole` (the fleet's name is fixed).
   *
   * @default 'amp-scraper-source-<cluster name>-<workspace key>'
   */
  readonly roleName?: string;

  /**
   * Use the source role an `ObservabilityFleetSource` with `ampScraper` put into this account and
   * region (`FleetNames.scraperSourceRoleArn`), instead of creating one: the collector writes through
   * the fleet's organization-scoped `AmpScraperTargetRole`. No role, no trust pinning and no Lambda
   * are created here (the fleet's source role already admits only this account's scrapers in this
   * region, and the organization trust requires the caller's own scraper ARN as the external ID), so
   * there is no phase 2. The StackSet instance of this account and region must exist first.
   *
   * @default false
   */
  readonly fleetSourceRole?: boolean;

  /**
   * Also publish the scraper ARN as this SSM String parameter, for pipelines that pin the target side.
   *
   * @default - only the stack output
   */
  readonly scraperArnParameterName?: string;

  /**
   * The target account's stack name, used in the printed pin command.
   *
   * @default '<workspace account stack>'
   */
  readonly targetStackName?: string;
}

const SCRAPER_SERVICE = 'scraper.aps.amazonaws.com';
const ALIAS = /^[0-9A-Za-z][-.0-9A-Z_a-z]{0,99}$/;

/**
 * The cluster-account side of cross-account AMP scraping (the AMP user guide's cross-account managed
 * collector setup): an AMP managed collector
 * that scrapes this account's EKS cluster and writes to a workspace in another account.
 *
 * - a source role that only `scraper.aps.amazonaws.com` may assume, from this account's
 *   scrapers in this region, and that may assume the target role and nothing else;
 * - the `AWS::APS::Scraper` with the role configuration;
 * - a custom resource that, once the scraper exists, pins the source role's trust to that exact
 *   scraper ARN (`iam:UpdateAssumeRolePolicy`), and runs again whenever CloudFormation may have
 *   reset the trust;
 * - the scraper ARN as an output (and optionally an SSM parameter) with the command that pins
 *   the target side.
 */
export class AmpCrossAccountScraper extends Construct {
  /**
   * The built-in scrape configuration for EKS (YAML): a 30 s interval; pods; cAdvisor through the
   * API server's node proxy; the API server; kube-proxy; EKS control-plane metrics.
   *
   * @param clusterArn added as the external label `clusterArn`
   */
  public static defaultScrapeConfiguration(clusterArn?: string): string {
    const a = new ArgumentChecker('AmpCrossAccountScraper.defaultScrapeConfiguration(clusterArn?)');
    // A deploy-time value is carried: the YAML goes into the template, where CloudFormation resolves it.
    a.string('clusterArn', clusterArn, arnRule(ArnKind.EKS_CLUSTER), { optional: true });
    return a.result(() => scrapeConfigYaml(defaultScrapeConfig(clusterArn ?? undefined)));
  }

  /**
   * The default name of the source role.
   *
   * @param clusterName the cluster's name
   * @param workspaceArn the workspace's ARN
   */
  public static sourceRoleNameFor(clusterName: string, workspaceArn: string): string {
    const a = new ArgumentChecker('AmpCrossAccountScraper.sourceRoleNameFor(clusterName, workspaceArn)');
    a.string('clusterName', clusterName, EKS_CLUSTER_NAME, { tokens: 'refused' });
    a.string('workspaceArn', workspaceArn, arnRule(ArnKind.APS_WORKSPACE), { tokens: 'refused' });
    return a.result(() => a.roleName(scraperSourceRoleName(clusterName, workspaceArn), 'clusterName'));
  }

  /** The scraper. */
  public readonly scraper: aps.CfnScraper;

  /** The source role the scraper uses. */
  public readonly sourceRole: iam.IRole;

  /** The source role's name. */
  public readonly sourceRoleName: string;

  /** The scraper's ARN (a deploy-time value: read it from the `ScraperArn` output). */
  public readonly scraperArn: string;

  private readonly fleet?: boolean;

  /**
   * @param scope a construct in the cluster account's stack
   * @param id the construct ID
   * @param props the cluster, network, workspace, target role and scrape configuration
   */
  constructor(scope: Construct, id: string, props: AmpCrossAccountScraperProps) {
    super(scope, id);
    checkStackResourceBudget(this, 'AmpCrossAccountScraper');
    props = propsOrEmpty(props);
    const owner = describeConstruct('AmpCrossAccountScraper', this.node.path);
    validate(owner, props, literalAccount(this), literalRegion(this), this);

    const stack = Stack.of(this);
    const clusterName = parseArn(props.clusterArn)?.resource.replace(/^cluster\//, '') ?? '';
    if (props.fleetSourceRole) {
      this.fleet = true;
      this.sourceRoleName = fleetScraperSourceRoleName(stack.region);
      const fleetRoleArn = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${fleetRolePath(FLEET_FLOW_KEYS.AMP_SCRAPER).slice(1)}${this.sourceRoleName}` });
      this.sourceRole = iam.Role.fromRoleArn(this, 'SourceRole', fleetRoleArn, { mutable: false });
      this.scraper = this.createScraper(props, fleetRoleArn);
      this.scraperArn = this.scraper.attrArn;
      new CfnOutput(this, 'ScraperArn', { value: this.scraperArn, description: 'The scraper ARN (the fleet\'s organization-scoped target role admits it without pinning)' });
      if (props.scraperArnParameterName) this.parameter(props.scraperArnParameterName);
      return;
    }
    this.sourceRoleName = props.roleName ?? scraperSourceRoleName(clusterName, props.workspaceArn);
    const anyScraperOfThisAccount = stack.formatArn({ service: 'aps', resource: 'scraper', resourceName: '*' });
    const trust = (sourceArn: Record<string, Record<string, string>>): TrustStatement => ({
      principal: new iam.ServicePrincipal(SCRAPER_SERVICE),
      actions: ['sts:AssumeRole'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ...sourceArn },
    });

    const role = createRoleWithTrust(this, 'SourceRole', {
      roleName: this.sourceRoleName,
      description: `AMP scraper of ${clusterName}: may assume the workspace account's target role only`,
      inlinePolicies: {
        AssumeTargetRole: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [props.targetRoleArn] })] }),
      },
    }, [trust({ ArnLike: { 'aws:SourceArn': anyScraperOfThisAccount } })]);
    this.sourceRole = role;
    validateRoleNamesUnique(this, [role.node.defaultChild as iam.CfnRole]);

    this.scraper = this.createScraper(props, role.roleArn);
    this.scraperArn = this.scraper.attrArn;

    const pin = this.pinSourceTrust(role, trust({ ArnEquals: { 'aws:SourceArn': this.scraperArn } }));
    this.publish(props, pin);
  }

  /** The source role's ARN as a plain string (`AmpScraperTargetRole` computes the same by default). */
  public get sourceRoleArn(): string {
    const owner = describeConstruct('AmpCrossAccountScraper', this.node.path);
    if (this.fleet) {
      const region = literalRegion(this);
      if (!region) throw new Error(`${owner}: the fleet's source role ARN is a plain string only when the stack has a literal region`);
      return plainRoleArn(this, owner, fleetScraperSourceRoleName(region), fleetRolePath(FLEET_FLOW_KEYS.AMP_SCRAPER));
    }
    return plainRoleArn(this, owner, this.sourceRoleName, '/');
  }

  private createScraper(props: AmpCrossAccountScraperProps, sourceRoleArn: string): aps.CfnScraper {
    return new aps.CfnScraper(this, 'Resource', {
      alias: props.alias,
      source: { eksConfiguration: { clusterArn: props.clusterArn, subnetIds: props.subnetIds, securityGroupIds: props.securityGroupIds } },
      destination: { ampConfiguration: { workspaceArn: props.workspaceArn } },
      // CloudFormation takes the YAML text itself, although its reference calls the property "base 64
      // encoded": the reference's own AWS::APS::Scraper example passes plain YAML, and the resource
      // handler hands the string to the API's blob field, which the SDK base64-encodes on the wire
      // (the same mismatch as aws-cdk#34503 for AWS::MSK::Configuration). Base64 text here would
      // reach AMP as the configuration itself and be rejected as invalid YAML.
      scrapeConfiguration: { configurationBlob: props.scrapeConfiguration ?? AmpCrossAccountScraper.defaultScrapeConfiguration(props.clusterArn) },
      roleConfiguration: { sourceRoleArn, targetRoleArn: props.targetRoleArn },
    });
  }

  private parameter(name: string): void {
    new ssm.StringParameter(this, 'ScraperArnParameter', {
      parameterName: name,
      stringValue: this.scraperArn,
      description: 'AMP cross-account scraper ARN (pin AmpScraperTargetRole to it)',
    });
  }

  private pinSourceTrust(role: iam.Role, pinned: TrustStatement): CustomResource {
    const stack = Stack.of(this);
    const provider = pinTrustProvider(this);
    provider.allowPinning(role, this.sourceRoleName, this.scraperArn);
    const cfnRole = role.node.defaultChild as iam.CfnRole;
    // The handler derives the pinned document itself (the event carries no policy); this digest of
    // what it will write only makes CloudFormation run it again when that changes.
    const pinnedDocument = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({ principals: [pinned.principal], actions: pinned.actions, conditions: pinned.conditions })],
    });
    return new CustomResource(this, 'PinSourceTrust', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::AmpScraperPinTrust',
      properties: {
        RoleName: role.roleName,
        ScraperArn: this.scraperArn,
        PinnedTrustDigest: Lazy.string({ produce: () => stableHash(JSON.stringify(stack.resolve(pinnedDocument.toJSON())), 16) }),
        // Any change to the role's CloudFormation properties may make CloudFormation rewrite its
        // trust with the unpinned document; this fingerprint changes with them, so the pin runs again.
        RoleFingerprint: Lazy.string({
          produce: () => stableHash(JSON.stringify(stack.resolve({
            trust: cfnRole.assumeRolePolicyDocument,
            policies: cfnRole.policies,
            managedPolicyArns: cfnRole.managedPolicyArns,
            description: cfnRole.description,
            path: cfnRole.path,
            permissionsBoundary: cfnRole.permissionsBoundary,
            maxSessionDuration: cfnRole.maxSessionDuration,
          })), 16),
        }),
      },
    });
  }

  private publish(props: AmpCrossAccountScraperProps, pin: CustomResource): void {
    new CfnOutput(this, 'ScraperArn', { value: this.scraperArn, description: 'The scraper ARN: pin the workspace account\'s AmpScraperTargetRole to it' });
    new CfnOutput(this, 'PinTargetCommand', {
      value: Fn.join('', [`npx cdk deploy ${props.targetStackName ?? '<workspace account stack>'} -c scraperArn=`, this.scraperArn]),
      description: 'Phase 2: redeploy the workspace account\'s stack with the scraper ARN (AmpScraperTargetRole scraperArn)',
    });
    // For clusters in CONFIG_MAP authentication mode: aws-auth wants the scraper's service-linked
    // role without its path. The pin handler computes it from AMP's description of the scraper, so
    // the output cannot fail on an ARN form (a Fn::Select past the end of Fn::Split would fail the
    // stack during output resolution, after the 20-minute scraper create).
    new CfnOutput(this, 'AwsAuthRoleArn', {
      value: pin.getAttString('AwsAuthRoleArn'),
      description: 'CONFIG_MAP authentication mode only: the rolearn of the aws-auth mapRoles entry for user aps-collector-user',
    });
    if (props.scraperArnParameterName) this.parameter(props.scraperArnParameterName);
  }
}

function validate(
  owner: string, props: AmpCrossAccountScraperProps, account: string | undefined, region: string | undefined, scope: Construct,
): void {
  const v = new PropsValidator(owner).inStackOf(scope);
  if (v.required('clusterArn', props.clusterArn)) v.check('clusterArn', props.clusterArn, arnRule(ArnKind.EKS_CLUSTER));
  if (v.required('workspaceArn', props.workspaceArn)) v.check('workspaceArn', props.workspaceArn, arnRule(ArnKind.APS_WORKSPACE));
  if (v.required('targetRoleArn', props.targetRoleArn)) v.check('targetRoleArn', props.targetRoleArn, arnRule(ArnKind.IAM_ROLE));
  v.check('roleName', props.roleName, IAM_ROLE_NAME);
  v.boolean('fleetSourceRole', props.fleetSourceRole);
  if (props.fleetSourceRole === true) {
    for (const prop of ['roleName', 'targetStackName'] as const) {
      if (props[prop] !== undefined && props[prop] !== null) {
        v.problem(prop, 'is given with fleetSourceRole, which uses the fleet\'s source role (fixed name) and needs no pinning phase; leave it out');
      }
    }
  }
  for (const prop of ['clusterArn', 'workspaceArn'] as const) {
    if (props.roleName === undefined && !props.fleetSourceRole && Token.isUnresolved(props[prop])) {
      v.problem(prop, 'is a deploy-time value (token), but the default roleName is built from it; give roleName, or pass a literal');
    }
  }
  // AMP user guide, "Set up managed collectors": at least two subnets in at least two Availability
  // Zones (CreateScraper takes 1 to 5). The AZ of a plain subnet ID cannot be known at synth.
  const subnets = Token.isUnresolved(props.subnetIds) ? undefined : v.list<string>('subnetIds', props.subnetIds, 'string', { tokens: 'carried' });
  if (props.subnetIds === undefined || props.subnetIds === null || (subnets && (subnets.length < 2 || subnets.length > 5))) {
    const count = subnets?.length ?? 0;
    v.problem('subnetIds', `has ${count} subnet${count === 1 ? '' : 's'}; a scraper takes 2 to 5 (AMP asks for at least two, in two Availability Zones)`);
  }
  for (const duplicate of new Set((subnets ?? []).filter((id, i, all) => v.isLiteral(id) && all.indexOf(id) !== i))) {
    v.problem('subnetIds', `lists ${duplicate} twice`);
  }
  (subnets ?? []).forEach((id, i) => {
    if (v.isLiteral(id) && !/^subnet-[0-9a-f]{8,17}$/.test(id)) v.problem(`subnetIds[${i}]`, `got ${JSON.stringify(id)}; expected a subnet ID such as subnet-0123456789abcdef0`);
  });
  const securityGroups = v.list<string>('securityGroupIds', props.securityGroupIds, 'string', { tokens: 'carried' });
  if (securityGroups.length > 5) v.problem('securityGroupIds', `has ${securityGroups.length}; at most 5`);
  securityGroups.forEach((id, i) => {
    if (v.isLiteral(id) && !/^sg-[0-9a-f]{8,17}$/.test(id)) v.problem(`securityGroupIds[${i}]`, `got ${JSON.stringify(id)}; expected a security group ID such as sg-0123456789abcdef0`);
  });
  v.string('alias', props.alias).string('scrapeConfiguration', props.scrapeConfiguration).string('targetStackName', props.targetStackName);
  // SSM user guide, "Requirements and constraints for parameter names" (SSM_PARAMETER_NAME): a-z A-Z 0-9
  // _ . - and "/", at most 1011 characters and 15 levels, not starting with aws or ssm (any case).
  v.check('scraperArnParameterName', props.scraperArnParameterName, SSM_PARAMETER_NAME);
  if (typeof props.scraperArnParameterName === 'string' && Token.isUnresolved(props.scraperArnParameterName)) {
    v.problem('scraperArnParameterName', 'is a deploy-time value (token); the parameter\'s ARN is built from its literal name at synth, so pass a literal');
  }
  if (props.alias !== undefined && v.isLiteral(props.alias) && !ALIAS.test(props.alias)) {
    v.problem('alias', `got ${JSON.stringify(props.alias)}; expected 1-100 characters from 0-9 A-Z a-z - . _, starting alphanumeric`);
  }
  if (props.scrapeConfiguration !== undefined && v.isLiteral(props.scrapeConfiguration)) {
    for (const problem of scrapeConfigProblems(props.scrapeConfiguration)) v.problem('scrapeConfiguration', problem);
    for (const warning of scrapeConfigWarnings(props.scrapeConfiguration)) warn(scope, 'scrapeConfigurationUnlisted', `scrapeConfiguration: ${warning}`);
  }
  const cluster = v.isLiteral(props.clusterArn) ? parseArn(props.clusterArn) : undefined;
  const workspace = v.isLiteral(props.workspaceArn) ? parseArn(props.workspaceArn) : undefined;
  if (cluster && workspace && cluster.region !== workspace.region) {
    v.problem('workspaceArn', `is in ${workspace.region} but the cluster is in ${cluster.region}; cluster, scraper and workspace must share a region`);
  }
  if (cluster && account && cluster.account !== account) v.problem('clusterArn', `is in account ${cluster.account}; the scraper must be created in the cluster's account (this stack is in ${account})`);
  if (cluster && region && cluster.region !== region) v.problem('clusterArn', `is in ${cluster.region}; the scraper must be created in the cluster's region (this stack is in ${region})`);
  const target = v.isLiteral(props.targetRoleArn) ? parseArn(props.targetRoleArn) : undefined;
  if (target && workspace && target.account !== workspace.account) {
    v.problem('targetRoleArn', `is in account ${target.account}; the target role must be in the workspace's account (${workspace.account})`);
  }
  v.throwIfAny();
}
