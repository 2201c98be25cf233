import { CfnOutput, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { scraperOrganizationTargetRoleName, scraperSourceRoleName, scraperTargetRoleName } from './names';
import { ArgumentChecker } from '../core/arguments';
import { OrganizationSourceTrust } from '../core/organization';
import { checkOrganizationSource, checkOrganizationTrustSize, isGiven, organizationSourceTrust, refuseWithOrganizationSource } from '../core/organization-source';
import { validateRoleNamesUnique } from '../core/role-name-uniqueness';
import { createRoleWithTrust, TrustStatement } from '../core/role-trust';
import { ACCOUNT_ID, ArnKind, arnRule, EKS_CLUSTER_NAME, IAM_ROLE_NAME, parseArn } from '../core/rules';
import { checkStackResourceBudget } from '../core/stack-budget';
import { literalAccount, plainRoleArn } from '../core/stack-env';
import { describeConstruct, PropsValidator, propsOrEmpty } from '../core/validation';
import { warn } from '../core/warnings';
import { FLEET_FLOW_KEYS } from '../organization/fleet-names';

/**
 * Props of {@link AmpScraperTargetRole}.
 */
export interface AmpScraperTargetRoleProps {
  /**
   * The account of the cluster and its scraper. A deploy-time value (token) is supported when
   * `roleName` is given (the default name is built from it).
   *
   * @default - required unless `organizationSource` is given (and refused with it)
   */
  readonly sourceAccountId?: string;

  /**
   * The name of the cluster the scraper collects from. A deploy-time value (token) is supported
   * when `roleName` and `sourceRoleName` are given (both default names are built from it).
   *
   * @default - required unless `organizationSource` is given (and refused with it)
   */
  readonly clusterName?: string;

  /**
   * Trust the fleet's AMP scraper source roles (`FleetNames.scraperSourceRoleArn`: one per member
   * account and region, under `/xacct-observability/amp-scraper/`) in any account of an AWS
   * Organization, or of some of its OUs, instead of one cluster's source role: one role for every
   * member scraper that writes to the workspace, a trust of the same size for any number of accounts.
   * The trust also requires the external ID the managed collector sends, its scraper ARN, to be a
   * scraper of the caller's own account in the workspace's region
   * (`arn:<partition>:aps:<workspace region>:${aws:PrincipalAccount}:scraper/*`). It allows
   * `sts:AssumeRole` only (the scraper's session carries no tags). `organizationId` and
   * `sourcePrincipalPattern` may be deploy-time values (tokens).
   *
   * @default - no organization trust: the role trusts one cluster's source role (`sourceAccountId`, `clusterName`)
   */
  readonly organizationSource?: OrganizationSourceTrust;

  /** The AMP workspace in this account the scraper writes to. */
  readonly workspaceArn: string;

  /**
   * The scraper's ARN, once it exists (phase 2): the trust then requires exactly it as the
   * external ID. Take it from the source stack's `ScraperArn` output, for example with
   * `scraperArn: app.node.tryGetContext('scraperArn')`.
   *
   * @default - phase 1: any scraper of the source account in the workspace's region, and a warning
   * (refused with `organizationSource`, which trusts every member's scrapers)
   */
  readonly scraperArn?: string;

  /**
   * The source role's name, when `AmpCrossAccountScraper` was given a `roleName`. Refused with
   * `organizationSource` (give its `sourcePrincipalPattern` instead).
   *
   * @default 'amp-scraper-source-<clusterName>-<workspace key>', the source side's default
   */
  readonly sourceRoleName?: string;

  /**
   * This role's name.
   *
   * @default 'amp-scraper-target-<sourceAccountId>-<clusterName>-<workspace key>', or with
   * `organizationSource` 'amp-scraper-target-<workspace id>' (`AmpScraperTargetRole.organizationRoleNameFor`)
   */
  readonly roleName?: string;
}

/**
 * The workspace-account side of cross-account AMP scraping (the AMP user guide's cross-account
 * managed collector setup): the role the scraper's
 * source role assumes to remote-write into the workspace.
 *
 * It trusts exactly the source role (by `aws:PrincipalArn`, so it can be deployed before that
 * role exists) and requires the scraper's ARN as `sts:ExternalId`: before the scraper exists
 * (phase 1) any scraper ARN of the source account and region; once it is known (phase 2) exactly it.
 *
 * With `organizationSource` it trusts the fleet's scraper source roles of every member account (or of
 * listed OUs) instead, each with a scraper of its own account in the workspace's region.
 */
export class AmpScraperTargetRole extends Construct {
  /**
   * The default name of the target role.
   *
   * @param sourceAccountId the cluster's account
   * @param clusterName the cluster's name
   * @param workspaceArn the workspace's ARN
   */
  public static roleNameFor(sourceAccountId: string, clusterName: string, workspaceArn: string): string {
    const a = new ArgumentChecker('AmpScraperTargetRole.roleNameFor(sourceAccountId, clusterName, workspaceArn)');
    // Joined, cut and hashed at synth: deploy-time values cannot be.
    a.string('sourceAccountId', sourceAccountId, ACCOUNT_ID, { tokens: 'refused' });
    a.string('clusterName', clusterName, EKS_CLUSTER_NAME, { tokens: 'refused' });
    a.string('workspaceArn', workspaceArn, arnRule(ArnKind.APS_WORKSPACE), { tokens: 'refused' });
    return a.result(() => a.roleName(scraperTargetRoleName(sourceAccountId, clusterName, workspaceArn), 'clusterName'));
  }

  /**
   * The default name of the target role with `organizationSource`: `amp-scraper-target-<workspace id>`,
   * hashed at 64 characters.
   *
   * @param workspaceArn the workspace's ARN
   */
  public static organizationRoleNameFor(workspaceArn: string): string {
    const a = new ArgumentChecker('AmpScraperTargetRole.organizationRoleNameFor(workspaceArn)');
    a.string('workspaceArn', workspaceArn, arnRule(ArnKind.APS_WORKSPACE), { tokens: 'refused' });
    return a.result(() => a.roleName(scraperOrganizationTargetRoleName(workspaceArn), 'workspaceArn'));
  }

  /** The role. */
  public readonly role: iam.IRole;

  /** The role's name. */
  public readonly roleName: string;

  /** Whether the trust is pinned to one scraper ARN (phase 2). */
  public readonly pinned: boolean;

  /**
   * @param scope a construct in the workspace account's stack
   * @param id the construct ID
   * @param props the source account, cluster, workspace and (phase 2) scraper
   */
  constructor(scope: Construct, id: string, props: AmpScraperTargetRoleProps) {
    super(scope, id);
    checkStackResourceBudget(this, 'AmpScraperTargetRole');
    props = propsOrEmpty(props);
    const owner = describeConstruct('AmpScraperTargetRole', this.node.path);
    const organizationMode = validate(owner, props, literalAccount(this), this);

    const workspace = parseArn(props.workspaceArn);
    if (organizationMode) {
      this.roleName = props.roleName ?? scraperOrganizationTargetRoleName(props.workspaceArn);
      this.pinned = false;
      this.role = this.createRole(props, 'any member account of an AWS Organization (the fleet\'s scraper source roles)', organizationSourceTrust(this, props.organizationSource!, {
        flowKey: FLEET_FLOW_KEYS.AMP_SCRAPER,
        // The managed collector assumes this role from its source role with no session tags.
        tagSession: false,
        // The collector sends its own ARN as the external ID (AMP user guide, cross-account managed
        // collectors); a collector writes only to a workspace of its region, and runs in the account of
        // its source role, so the ARN must be a scraper of the caller's account in the workspace's region.
        conditions: { StringLike: { 'sts:ExternalId': `arn:${workspace!.partition}:aps:${workspace!.region}:\${aws:PrincipalAccount}:scraper/*` } },
      }));
      checkOrganizationTrustSize(this.role as iam.Role, owner);
      return;
    }

    this.roleName = props.roleName ?? scraperTargetRoleName(props.sourceAccountId!, props.clusterName!, props.workspaceArn);
    const sourceRoleName = props.sourceRoleName ?? scraperSourceRoleName(props.clusterName!, props.workspaceArn);
    const partition = workspace?.partition ?? 'aws';
    const sourceRoleArn = `arn:${partition}:iam::${props.sourceAccountId}:role/${sourceRoleName}`;
    // null too (a plain-JS or JSON caller's "not given"): never a trust with "sts:ExternalId": null.
    this.pinned = isGiven(props.scraperArn);
    const externalId = this.pinned
      ? { StringEquals: { 'sts:ExternalId': props.scraperArn! } }
      : { StringLike: { 'sts:ExternalId': `arn:${partition}:aps:${workspace!.region}:${props.sourceAccountId}:scraper/*` } };

    this.role = this.createRole(props, `cluster ${props.clusterName} (account ${props.sourceAccountId})`, [{
      principal: new iam.AccountPrincipal(props.sourceAccountId),
      actions: ['sts:AssumeRole'],
      conditions: { ArnEquals: { 'aws:PrincipalArn': sourceRoleArn }, ...externalId },
    }]);

    if (!this.pinned) {
      const sourceAccount = Token.isUnresolved(props.sourceAccountId) ? 'the source account (a deploy-time value)' : `account ${props.sourceAccountId}`;
      warn(this, 'scraperTrustNotPinned',
        `Phase 1: the role accepts any AMP scraper of ${sourceAccount} in ${workspace!.region} (external ID pattern). `
        + 'After deploying AmpCrossAccountScraper, redeploy this stack with its ScraperArn output as scraperArn (for example -c scraperArn=arn:...:scraper/s-...) to pin the trust to that scraper.',
      );
    }
  }

  private createRole(props: AmpScraperTargetRoleProps, from: string, trust: TrustStatement[]): iam.Role {
    const role = createRoleWithTrust(this, 'Role', {
      roleName: this.roleName,
      description: `AMP scraper of ${from} writing to ${props.workspaceArn.split('/').pop()}`,
      inlinePolicies: {
        RemoteWrite: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['aps:RemoteWrite'], resources: [props.workspaceArn] })] }),
      },
    }, trust);
    validateRoleNamesUnique(this, [role.node.defaultChild as iam.CfnRole]);
    new CfnOutput(this, 'RoleArnOutput', { value: role.roleArn, description: 'targetRoleArn for AmpCrossAccountScraper in the cluster account' });
    return role;
  }

  /** The role's ARN as a plain string: the `targetRoleArn` of `AmpCrossAccountScraper`. */
  public get roleArn(): string {
    return plainRoleArn(this, describeConstruct('AmpScraperTargetRole', this.node.path), this.roleName, '/');
  }
}

/** Validates the props; returns whether the role trusts an organization (`organizationSource`). */
function validate(owner: string, props: AmpScraperTargetRoleProps, account: string | undefined, scope: Construct): boolean {
  const v = new PropsValidator(owner).inStackOf(scope);
  if (v.required('workspaceArn', props.workspaceArn)) v.check('workspaceArn', props.workspaceArn, arnRule(ArnKind.APS_WORKSPACE));
  if (Token.isUnresolved(props.workspaceArn)) v.problem('workspaceArn', 'must be a literal: the external-ID pattern and the default role names are built from it');
  v.check('roleName', props.roleName, IAM_ROLE_NAME);
  if (checkOrganizationSource(v, props.organizationSource)) {
    refuseWithOrganizationSource(v, {
      sourceAccountId: props.sourceAccountId,
      clusterName: props.clusterName,
      scraperArn: props.scraperArn,
      sourceRoleName: props.sourceRoleName,
    }, 'it names one cluster\'s source role and scraper, and organizationSource trusts the fleet\'s scraper source roles of the member accounts instead');
    checkWorkspaceAccount(v, props, account);
    v.throwIfAny();
    return true;
  }
  const orOrganization = ' (or organizationSource, to trust the fleet\'s scraper source roles of an organization\'s accounts instead)';
  if (isGiven(props.sourceAccountId) && props.sourceAccountId !== '') v.check('sourceAccountId', props.sourceAccountId, ACCOUNT_ID);
  else v.problem('sourceAccountId', `is required${orOrganization}`);
  if (isGiven(props.clusterName) && props.clusterName !== '') v.check('clusterName', props.clusterName, EKS_CLUSTER_NAME);
  else v.problem('clusterName', `is required${orOrganization}`);
  // A token inside a default name would become literal "${Token[...]}" text: a role name that can
  // never match. Deploy-time values are supported only where no name is built from them.
  if (props.roleName === undefined) {
    for (const prop of ['sourceAccountId', 'clusterName'] as const) {
      if (Token.isUnresolved(props[prop])) v.problem(prop, 'is a deploy-time value (token), but the default roleName is built from it; give roleName (and sourceRoleName), or pass a literal');
    }
  }
  if (props.sourceRoleName === undefined && props.roleName !== undefined && Token.isUnresolved(props.clusterName)) {
    v.problem('clusterName', 'is a deploy-time value (token), but the default sourceRoleName is built from it; give sourceRoleName, or pass a literal');
  }
  v.check('scraperArn', props.scraperArn, arnRule(ArnKind.APS_SCRAPER));
  v.check('sourceRoleName', props.sourceRoleName, IAM_ROLE_NAME);
  if (v.isLiteral(props.scraperArn) && v.isLiteral(props.workspaceArn)) {
    const scraper = parseArn(props.scraperArn);
    const workspace = parseArn(props.workspaceArn);
    if (scraper && v.isLiteral(props.sourceAccountId) && scraper.account !== props.sourceAccountId) {
      v.problem('scraperArn', `is in account ${scraper.account}; the scraper runs in the source account ${props.sourceAccountId}`);
    }
    if (scraper && workspace && scraper.region !== workspace.region) {
      v.problem('scraperArn', `is in ${scraper.region}; a scraper writes only to a workspace of its own region (${workspace.region})`);
    }
  }
  checkWorkspaceAccount(v, props, account);
  v.throwIfAny();
  return false;
}

function checkWorkspaceAccount(v: PropsValidator, props: AmpScraperTargetRoleProps, account: string | undefined): void {
  const workspaceAccount = v.isLiteral(props.workspaceArn) ? parseArn(props.workspaceArn)?.account : undefined;
  if (workspaceAccount && account && workspaceAccount !== account) {
    v.problem('workspaceArn', `is in account ${workspaceAccount}; deploy AmpScraperTargetRole in the workspace's account (this stack is in ${account})`);
  }
}
