/** Demo values shared by the tests. */
import { App, Stack } from 'aws-cdk-lib';

export const TARGET_ACCOUNT = '111111111111';
export const SOURCE_ACCOUNT = '222222222222';
export const OTHER_ACCOUNT = '333333333333';
export const REGION = 'us-east-1';
export const WORKSPACE_ID = 'ws-0123abcd-4567-89ef-0123-456789abcdef';
export const WORKSPACE_ARN = `arn:aws:aps:${REGION}:${TARGET_ACCOUNT}:workspace/${WORKSPACE_ID}`;
export const OTHER_WORKSPACE_ARN = `arn:aws:aps:${REGION}:${TARGET_ACCOUNT}:workspace/ws-ffffffff-4567-89ef-0123-456789abcdef`;

/** The issuer of demo cluster n: a valid EKS issuer URL whose ID encodes n. */
export function issuer(n: number, region = REGION): string {
  return `https://oidc.eks.${region}.amazonaws.com/id/${n.toString(16).toUpperCase().padStart(32, 'A')}`;
}

export function hostPath(issuerUrl: string): string {
  return issuerUrl.replace('https://', '');
}

/** A stack in an account (default: the target account) and the demo region. */
export function stackIn(account = TARGET_ACCOUNT, id = 'Stack'): Stack {
  return new Stack(new App(), id, { env: { account, region: REGION } });
}
