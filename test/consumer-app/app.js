// A consumer's CDK app, outside this repository: CI installs the packed tarball and only the peer
// dependencies from the npm registry beside it, then runs `cdk synth` here. It uses every construct
// that ships Lambda code (ours, and aws-cdk-lib's custom-resource handlers), so a tarball without its
// bundled assets fails with CannotFindAsset.
const { App, Stack } = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const lib = require('cdk-eks-cross-account-observability');

const app = new App();
const env = { account: '222222222222', region: 'us-east-1' };
const stack = new Stack(app, 'ConsumerClusterAccount', { env });
const workspaceArn = 'arn:aws:aps:us-east-1:111111111111:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef';

// Our handlers: the container-cost role reconciler and the AMP scraper's trust pin.
new lib.ContainerCostBucket(stack, 'ContainerCost', { readerRoleName: 'cost-platform-onboarding' });
new lib.AmpCrossAccountScraper(stack, 'AmpScraper', {
  clusterArn: 'arn:aws:eks:us-east-1:222222222222:cluster/prod',
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  workspaceArn,
  targetRoleArn: 'arn:aws:iam::111111111111:role/amp-scraper-target-prod',
});
// aws-cdk-lib's AwsCustomResource handler (imported node roles get the agent policy attached).
new lib.ContainerInsightsAgentAccess(stack, 'ContainerInsightsAgent', {
  targetRoleArn: 'arn:aws:iam::111111111111:role/containerinsights-acme',
  clusterName: 'prod',
  identityMode: lib.AgentIdentityMode.NODE_ROLES,
  nodeRoles: [iam.Role.fromRoleName(stack, 'NodeRole', 'eks-prod-node-role')],
});

// The fleet's member reconciler: inlined into the StackSet's member template (no asset in member accounts).
const management = new Stack(app, 'ConsumerManagementAccount', { env: { account: '100000000000', region: 'us-east-1' } });
new lib.ObservabilityFleetSource(management, 'Fleet', {
  organizationalUnitIds: ['ou-ab12-11111111'],
  regions: ['us-east-1'],
  remoteWrite: { targetRoleArn: 'arn:aws:iam::111111111111:role/amp-remote-write-ws-0123abcd-4567-89ef-0123-456789abcdef' },
});

app.synth();
