import { ACCOUNT_ID, ArnKind, arnRule, EKS_CLUSTER_NAME, IAM_PATH, IAM_ROLE_NAME, K8S_NAME, K8S_NAMESPACE, K8S_SERVICE_ACCOUNT_PATTERN, OIDC_ISSUER_URL, parseArn, REGION, Rule } from '../../src/core/rules';

const EKS_ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';

function expectRule(rule: Rule, good: string[], bad: string[]) {
  for (const value of good) expect({ value, reason: rule.check(value) }).toEqual({ value, reason: undefined });
  for (const value of bad) expect({ value, reason: rule.check(value) }).toEqual({ value, reason: expect.any(String) });
}

test('account IDs are exactly 12 digits', () => {
  expectRule(ACCOUNT_ID, ['111111111111', '000000000000'], ['11111111111', '1111111111112', '11111111111a', ' 111111111111', '']);
});

test('regions follow the AWS region-code shape, in every partition', () => {
  expectRule(REGION, ['us-east-1', 'eu-central-2', 'ap-southeast-7', 'us-gov-west-1', 'cn-north-1', 'us-isob-east-1', 'eusc-de-east-1', 'mx-central-1'],
    ['us-east', 'useast-1', 'us_east_1', 'US-EAST-1', 'us-middle-1', 'global', '']);
});

test('IAM role names: 1-64 characters from the allowed set', () => {
  expectRule(IAM_ROLE_NAME, ['a', 'amp-remote-write', 'A_b+c=d,e.f@g-h', 'x'.repeat(64)], ['', 'x'.repeat(65), 'has space', 'slash/name', 'star*']);
  expect(IAM_ROLE_NAME.check('x'.repeat(65))).toBe('65 characters, the limit is 64');
});

test('IAM paths start and end with a slash', () => {
  expectRule(IAM_PATH, ['/', '/observability/', '/a/b/c/'], ['', 'observability', '/observability', 'observability/', `/${'a'.repeat(511)}/`]);
});

test('Kubernetes namespaces are RFC 1123 labels', () => {
  expectRule(K8S_NAMESPACE, ['monitoring', 'a', 'kube-system', 'a1', 'x'.repeat(63)],
    ['Monitoring', '-monitoring', 'monitoring-', 'mon.itoring', 'mon_itoring', '', 'x'.repeat(64)]);
});

test('Kubernetes object names are RFC 1123 subdomains', () => {
  expectRule(K8S_NAME, ['prometheus', 'kube-prometheus-stack-prometheus', 'a.b.c', 'x'.repeat(253)],
    ['Prometheus', 'prom_etheus', '.prometheus', 'prometheus.', 'a..b', '', 'x'.repeat(254), 'prom*']);
});

test('service-account patterns allow * and ? in an otherwise valid name', () => {
  expectRule(K8S_SERVICE_ACCOUNT_PATTERN, ['prometheus', '*', 'prometheus-*', 'agent-?'], ['Prom*', 'prom_*', '']);
});

test('EKS cluster names', () => {
  expectRule(EKS_CLUSTER_NAME, ['prod', 'Prod_1', 'a-b', 'x'.repeat(100)], ['-prod', '_prod', 'prod.1', '', 'x'.repeat(101)]);
});

describe('OIDC issuer URLs', () => {
  test('EKS issuers are checked strictly', () => {
    expectRule(OIDC_ISSUER_URL, [
      EKS_ISSUER,
      'https://oidc.eks.cn-north-1.amazonaws.com.cn/id/0123456789ABCDEF0123456789ABCDEF',
      'https://oidc.eks.us-gov-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
    ], [
      'http://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
      'oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
      `${EKS_ISSUER}/`,
      'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789abcdef0123456789abcdef',
      'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF',
      'https://oidc.eks.useast1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
      'https://oidc.eks.cn-north-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
      'https://oidc.eks.us-east-1.amazonaws.com/0123456789ABCDEF0123456789ABCDEF',
    ]);
  });

  test('other https issuers: host and path, no port, query or fragment', () => {
    expectRule(OIDC_ISSUER_URL, ['https://token.actions.githubusercontent.com', 'https://idp.example.com/realms/k8s'], [
      'https://idp.example.com:8443',
      'https://idp.example.com/?x=1',
      'https://idp.example.com#frag',
      'https://IDP.example.com',
      'https://localhost',
      `https://idp.example.com/${'p'.repeat(240)}`,
      'https://idp example.com',
    ]);
  });

  test('the reason says what is wrong', () => {
    expect(OIDC_ISSUER_URL.check(`${EKS_ISSUER}/`)).toBe('ends with "/"');
    expect(OIDC_ISSUER_URL.check('https://oidc.eks.us-east-1.amazonaws.com/id/abc')).toMatch(/32 uppercase hex/);
  });
});

describe('ARNs by kind', () => {
  test('AMP workspaces', () => {
    expectRule(arnRule(ArnKind.APS_WORKSPACE), [
      'arn:aws:aps:us-east-1:111111111111:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef',
      'arn:aws-cn:aps:cn-north-1:111111111111:workspace/ws-1',
    ], [
      'arn:aws:aps:us-east-1:111111111111:workspace/0123abcd',
      'arn:aws:aps:us-east-1:1111:workspace/ws-1',
      'arn:aws:aps::111111111111:workspace/ws-1',
      'arn:aws:amp:us-east-1:111111111111:workspace/ws-1',
      'arn:aws:aps:cn-north-1:111111111111:workspace/ws-1',
      'arn:aws-x:aps:us-east-1:111111111111:workspace/ws-1',
      'ws-1',
    ]);
  });

  test('IAM roles, with paths', () => {
    expectRule(arnRule(ArnKind.IAM_ROLE), [
      'arn:aws:iam::111111111111:role/amp-remote-write',
      'arn:aws:iam::111111111111:role/team/observability/amp-remote-write',
      'arn:aws-us-gov:iam::111111111111:role/x',
    ], [
      'arn:aws:iam:us-east-1:111111111111:role/x',
      'arn:aws:iam::111111111111:user/x',
      'arn:aws:iam::111111111111:role/',
      'arn:aws:iam::111111111111:role/has space',
      'arn:aws:sts::111111111111:assumed-role/x/y',
    ]);
  });

  test('EKS clusters and OIDC providers', () => {
    expectRule(arnRule(ArnKind.EKS_CLUSTER), ['arn:aws:eks:eu-west-1:222222222222:cluster/prod'], ['arn:aws:eks:eu-west-1:222222222222:nodegroup/prod', 'arn:aws:eks::222222222222:cluster/prod']);
    expectRule(arnRule(ArnKind.IAM_OIDC_PROVIDER), ['arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF'],
      ['arn:aws:iam::111111111111:saml-provider/x', 'arn:aws:iam::111111111111:oidc-provider/']);
  });

  test('parseArn keeps colons in the resource', () => {
    expect(parseArn('arn:aws:logs:us-east-1:111111111111:log-group:/aws/x:*')).toEqual({
      partition: 'aws', service: 'logs', region: 'us-east-1', account: '111111111111', resource: 'log-group:/aws/x:*',
    });
    expect(parseArn('not-an-arn')).toBeUndefined();
  });
});
