/**
 * The reconciler's IAM fences and the permissions boundary of the agent roles it creates.
 *
 * Threat model. Who reaches the reconciler: CloudFormation and the schedule invoke it; anyone with
 * `lambda:InvokeFunction` on it can run it (it only ever reconciles, from its fixed environment);
 * anyone with `lambda:UpdateFunctionCode` (AWS's PowerUserAccess has it) can replace its code and
 * act with its role. The most such a person can then do:
 * - create roles only at exactly `/container-cost/<ownerKey>/` (a Deny covers every deeper path,
 *   since `*` in an IAM resource ARN also matches `/`), each with THIS stack's boundary
 *   (`iam:PermissionsBoundary` on CreateRole) and its owner tag and a `<region>/<cluster>/` prefix tag;
 * - change (trust, inline policy, detach, delete) only roles there that carry both the owner tag and
 *   the boundary; never put or delete a boundary (so never adopt a role it did not create), attach a
 *   managed policy, pass a role, edit or delete any managed policy (the boundary included), or retag
 *   a role that already has an owner, or assume an agent role itself;
 * - so every role it can create or change can do at most what the boundary allows: write objects
 *   (and list) under the prefix its own tag names, in this bucket, with this bucket's key.
 * Residual: the boundary caps permissions, not trust, and it reads the prefix from the role's tag.
 * A replaced function can write a trust policy that lets another principal assume such a role (IAM
 * has no condition key on the trust document's content), and that principal can override the prefix
 * tag with a session tag; so it can write (and list) any cluster prefix `<region>/<cluster>/` of this
 * bucket, nothing more: never the fallback users' `iam-user/` prefixes (denied in the boundary, as is
 * any tag that is not a whole `<region>/<cluster>/`, such as `iam-user` or `iam`),
 * never another bucket, never IAM. The next honest run repairs the trust. We accept that over a
 * reconciler without IRSA trusts; note that PowerUserAccess, which can replace the code, can write
 * this bucket directly anyway (S3 access is not what this library fences).
 */
import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MANAGED_BY_TAG, CLUSTER_TAG, OWNER_TAG, PREFIX_TAG } from './role-sync/naming';
import { boundedRoleWriterStatements, creationFenceStatements, rolesAtPath } from '../core/reconciler/fences';

export interface ReconcilerFences {
  /** `/container-cost/<ownerKey>/` */
  readonly rolePath: string;
  readonly ownerKey: string;
  /** The agent roles' permissions boundary. */
  readonly boundaryArn: string;
  /** The regions whose clusters get roles (literal ones narrow the prefix tag a role may get). */
  readonly regions?: string[];
}

/** The fallback users' prefixes: no role may ever name one. */
const USER_PREFIXES = 'iam-user/*';
/** A prefix tag is `<region>/<cluster>/`: nothing after the second "/". */
const DEEPER_THAN_CLUSTER = '*/*/?*';
/** The shape of a whole prefix tag: something, "/", something, "/" (with DEEPER_THAN_CLUSTER: exactly that). */
const CLUSTER_PREFIX_SHAPE = '?*/?*/';

/** ARN pattern of the roles at exactly the path (the Deny on deeper paths makes it exact). */
export function agentRoleArns(rolePath: string): string {
  return rolesAtPath(rolePath);
}

/** The shared fences (core/reconciler/fences.ts), plus the prefix tag every agent role must name. */
export function reconcilerRoleStatements(f: ReconcilerFences): iam.PolicyStatement[] {
  return boundedRoleWriterStatements({
    rolePaths: [f.rolePath],
    ownerTag: OWNER_TAG,
    ownerKey: f.ownerKey,
    boundaryArn: f.boundaryArn,
    tagKeys: [OWNER_TAG, CLUSTER_TAG, MANAGED_BY_TAG, PREFIX_TAG],
    createConditions: {
      // Every role names the one prefix (<region>/<cluster>/) its boundary lets it write: in one of
      // the included regions, never a fallback user's prefix, never a deeper path.
      StringLike: { [`aws:RequestTag/${PREFIX_TAG}`]: prefixPatterns(f.regions) },
      StringNotLike: { [`aws:RequestTag/${PREFIX_TAG}`]: [USER_PREFIXES, DEEPER_THAN_CLUSTER] },
    },
  });
}

function prefixPatterns(regions: string[] | undefined): string | string[] {
  const literal = (regions ?? []).filter((r) => !Token.isUnresolved(r));
  return literal.length > 0 && literal.length === (regions ?? []).length ? literal.map((r) => `${r}/?*/`) : '?*/?*/';
}

/** The reconciler may read and remove the tag on its own role that lets runs create roles, and nothing else there. */
export const acceptingRolesStatements = creationFenceStatements;

/**
 * The boundary of every agent role: writes under the prefix the role's own tag names (set at
 * creation, never changed by the reconciler), listing of that prefix, and the bucket key for
 * uploads. A role without the tag can do nothing: the variable does not resolve.
 */
export function agentBoundaryStatements(bucketArn: string, kmsKeyArn?: string): iam.PolicyStatement[] {
  const prefix = `\${aws:PrincipalTag/${PREFIX_TAG}}`;
  return [
    new iam.PolicyStatement({ sid: 'WriteTaggedPrefix', actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [`${bucketArn}/${prefix}*`] }),
    new iam.PolicyStatement({ sid: 'ListTaggedPrefix', actions: ['s3:ListBucket'], resources: [bucketArn], conditions: { StringLike: { 's3:prefix': `${prefix}*` } } }),
    ...(kmsKeyArn ? [new iam.PolicyStatement({ sid: 'UploadWithBucketKey', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [kmsKeyArn] })] : []),
    // A session tag overrides the role's tag of the same key, so a principal that a replaced reconciler
    // let assume a role with sts:TagSession could choose its prefix: never a fallback user's.
    new iam.PolicyStatement({
      sid: 'NeverUserPrefixes',
      effect: iam.Effect.DENY,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListBucket'],
      resources: [bucketArn, `${bucketArn}/*`],
      conditions: { StringLike: { [`aws:PrincipalTag/${PREFIX_TAG}`]: [USER_PREFIXES, DEEPER_THAN_CLUSTER] } },
    }),
    // The allows above are `<tag>*`: a tag that is not a whole `<region>/<cluster>/` (`iam-user`,
    // `iam`, `us-east-1/`, empty) would reach every key that starts with it, the fallback users' too.
    new iam.PolicyStatement({
      sid: 'OnlyClusterPrefixes',
      effect: iam.Effect.DENY,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListBucket'],
      resources: [bucketArn, `${bucketArn}/*`],
      conditions: { StringNotLike: { [`aws:PrincipalTag/${PREFIX_TAG}`]: CLUSTER_PREFIX_SHAPE } },
    }),
  ];
}
