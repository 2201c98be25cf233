import { Aws } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { AmpScraperRbacChart } from '../../src';
import { objectOf, validChartObjects } from '../harness/manifests';

const SERVICE_LINKED = 'arn:aws:iam::222222222222:role/aws-service-role/scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraperInternal_cc319052-41a3-4';

test('ClusterRole aps-collector-role with the documented rules, bound to user aps-collector-user; cluster-scoped, schema-valid', () => {
  const objects = validChartObjects(new AmpScraperRbacChart(Testing.app(), 'amp-scraper-rbac'));
  expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ClusterRole/aps-collector-role', 'ClusterRoleBinding/aps-collector-user-role-binding']);
  for (const o of objects) expect(o.metadata.namespace).toBeUndefined();
  const rules = objectOf(objects, 'ClusterRole').rules.map((r: any) => `${r.nonResourceURLs ? `url:${r.nonResourceURLs}` : `${r.apiGroups[0] || 'core'}/${r.resources}`} ${r.verbs}`);
  const read = 'describe,get,list,watch';
  expect(rules).toEqual([
    ...['nodes', 'nodes/proxy', 'nodes/metrics', 'services', 'endpoints', 'pods', 'ingresses', 'configmaps'].map((r) => `core/${r} ${read}`),
    `extensions/ingresses ${read}`, `extensions/ingresses/status ${read}`,
    `networking.k8s.io/ingresses ${read}`, `networking.k8s.io/ingresses/status ${read}`,
    'url:/metrics get',
    'metrics.eks.amazonaws.com/kcm/metrics get', 'metrics.eks.amazonaws.com/ksh/metrics get',
  ]);
  const binding = objectOf(objects, 'ClusterRoleBinding');
  expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'aps-collector-role' });
  expect(binding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'aps-collector-user' }]);
});

test('the aws-auth mapRoles entry names the scraper role without its service-role path', () => {
  const chart = new AmpScraperRbacChart(Testing.app(), 'amp-scraper-rbac', { scraperRoleArn: SERVICE_LINKED });
  expect(parse(chart.awsAuthMapRolesEntry!)).toEqual([{
    rolearn: 'arn:aws:iam::222222222222:role/AWSServiceRoleForAmazonPrometheusScraperInternal_cc319052-41a3-4',
    username: 'aps-collector-user',
  }]);
  expect(new AmpScraperRbacChart(Testing.app(), 'x').awsAuthMapRolesEntry).toBeUndefined();
});

test('bad input', () => {
  expect(() => new AmpScraperRbacChart(Testing.app(), 'x', { scraperRoleArn: 'AWSServiceRoleForAmazonPrometheusScraper' })).toThrow(/scraperRoleArn: .*not an ARN/);
  expect(() => new AmpScraperRbacChart(Testing.app(), 'x', { scraperRoleArn: Aws.ACCOUNT_ID })).toThrow(/is a CDK token/);
});

test('snapshot', () => {
  expect(Testing.synth(new AmpScraperRbacChart(Testing.app(), 'amp-scraper-rbac'))).toMatchSnapshot();
});
