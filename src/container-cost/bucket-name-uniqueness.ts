import { Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';

/**
 * Adds a synth-time check that no other bucket in the app has the same literal name. S3 bucket
 * names are global, so two `ContainerCostBucket`s in one account (one per region's stack) would
 * both be `container-cost-<account>` and the second deploy would fail, after the first went out.
 */
export function validateBucketNamesUnique(construct: IConstruct, bucket: s3.CfnBucket): void {
  construct.node.addValidation({
    validate: () => {
      const name = bucket.bucketName;
      if (name === undefined || Token.isUnresolved(name)) return [];
      const clash = construct.node.root.node.findAll()
        .find((c): c is s3.CfnBucket => c instanceof s3.CfnBucket && c !== bucket && c.bucketName === name);
      return clash
        ? [`Bucket name "${name}" is also used by ${clash.node.path}; S3 bucket names are global. Give one of them another bucketNamePrefix.`]
        : [];
    },
  });
}
