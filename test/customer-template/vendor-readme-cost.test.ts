/**
 * The README's vendor journey, container cost step (issue 23 review): the customer's manual Pod Identity
 * association and the cluster-side chart must name exactly what the template's role trusts and what
 * the vendor's bucket policy opens, or the customer's agent gets no credentials or writes nowhere.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { ContainerCostAgentChart, ContainerCostAgentChartIdentity, ContainerCostCustomerTemplate } from '../../src';
import { logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
import { objectOf, validChartObjects } from '../harness/manifests';
import { freshApp, synthTemplate } from '../harness/template-lint';

const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const vendorSection = readme.split(/\n## /).find((s) => s.startsWith('A vendor with many customers'))!;

/** Every value a condition of the document gives the key, wherever it sits. */
function conditionValues(document: any, key: string): string[] {
  return document.Statement.flatMap((s: any) => Object.values<any>(s.Condition ?? {}).flatMap((c) => (c[key] === undefined ? [] : [c[key]].flat())));
}

test('the README\'s create-pod-identity-association names the namespace and service account the cost template\'s role trusts, and the chart writes', () => {
  const command = /aws eks create-pod-identity-association ([^`]*?)--role-arn/.exec(vendorSection.replace(/\\\n\s*/g, ''));
  expect(command).not.toBeNull();
  const option = (name: string) => new RegExp(`--${name} (\\S+)`).exec(command![1])?.[1];
  const t = synthTemplate(new ContainerCostCustomerTemplate(freshApp(), 'ContainerCost', { vendorAccountId: '111111111111', bucketName: 'vendor-container-cost' })).json;
  const trust = trustPolicyOf(t, logicalIdsOfType(t, 'AWS::IAM::Role')[0], { account: '222222222222', region: 'us-east-1' });
  expect(conditionValues(trust, 'aws:RequestTag/kubernetes-namespace')).toEqual([option('namespace')]);
  expect(conditionValues(trust, 'aws:RequestTag/kubernetes-service-account')).toEqual([option('service-account')]);
  const chart = new ContainerCostAgentChart(Testing.app(), 'cost', { account: '222222222222', region: 'us-east-1', clusterName: 'prod', identity: ContainerCostAgentChartIdentity.FLEET_POD_IDENTITY });
  const sa = objectOf(validChartObjects(chart), 'ServiceAccount');
  expect([sa.metadata.namespace, sa.metadata.name]).toEqual([option('namespace'), option('service-account')]);
});

test('the README names the cluster-side chart in the mode whose prefix is the template\'s, and the role name the template makes', () => {
  expect(vendorSection).toMatch(/new ContainerCostAgentChart\([^)]*identity: ContainerCostAgentChartIdentity\.FLEET_POD_IDENTITY/);
  const chart = new ContainerCostAgentChart(Testing.app(), 'cost', { account: '222222222222', region: 'us-east-1', clusterName: 'prod', identity: ContainerCostAgentChartIdentity.FLEET_POD_IDENTITY });
  expect(vendorSection).toContain(`'${chart.bucketPrefix}'`);
  expect(ContainerCostCustomerTemplate.writerRoleName('k', 'us-east-1')).toBe('container-cost-writer-k-us-east-1');
  expect(vendorSection).toContain('`container-cost-writer-<vendorKey>-<region>`');
  expect(vendorSection).not.toMatch(/container-cost-writer-<region>/);
});
