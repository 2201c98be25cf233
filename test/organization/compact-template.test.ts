/**
 * The member template is compacted (Fn::Join to Fn::Sub) to stay inline: the compacted template must
 * deploy exactly what the synthesized one does. Proven by evaluating both, resource by resource.
 */
import { App, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { compactTemplate } from '../../src/organization/compact-template';
import { FleetMemberStack } from '../../src/organization/fleet-member-stack';
import { evaluate } from '../harness/cfn-eval';

const member = () => Template.fromStack(new FleetMemberStack(new App(), 'Member', {
  stackSetName: 'fleet',
  flows: [
    { key: 'remote-write', namespace: 'monitoring', serviceAccount: 'prometheus', targetRoleArn: 'arn:aws:iam::111111111111:role/rw' },
    { key: 'container-cost', namespace: 'container-cost', serviceAccount: 'container-cost-agent', costBucketName: 'container-cost-org-111111111111' },
  ],
  scraperTargetRoleArn: 'arn:aws:iam::111111111111:role/scraper-target',
  scraperRegion: 'us-east-1',
  identity: 'AUTO',
  sinkArnsByRegion: { 'us-east-1': 'arn:aws:oam:us-east-1:111111111111:sink/a1b2' },
  schedule: Duration.hours(2),
})).toJSON();

test('every resource evaluates to the same document, policy variables included; the template gets smaller', () => {
  const template = member();
  const compacted = { ...template, Resources: compactTemplate(template.Resources) };
  const env = { account: '444444444444', region: 'us-east-1', lenient: true };
  expect(JSON.stringify(compacted).length).toBeLessThan(JSON.stringify(template).length - 500);
  expect(JSON.stringify(compacted.Resources)).not.toContain('Fn::Join');
  for (const id of Object.keys(template.Resources)) {
    expect({ id, value: evaluate(compacted.Resources[id], compacted, env) }).toEqual({ id, value: evaluate(template.Resources[id], template, env) });
  }
  expect(JSON.stringify(evaluate(compacted.Resources, compacted, env))).toContain('/${aws:PrincipalTag/eks-cluster-name}/*');
});

test('literal "${" is escaped, Refs and GetAtts become ${...}, anything else is left as it is', () => {
  expect(compactTemplate({ 'Fn::Join': ['', ['a/${aws:PrincipalAccount}/', { Ref: 'AWS::Region' }, '/', { 'Fn::GetAtt': ['Role', 'Arn'] }]] }))
    .toEqual({ 'Fn::Sub': 'a/${!aws:PrincipalAccount}/${AWS::Region}/${Role.Arn}' });
  const kept = [{ 'Fn::Join': [',', ['a', { Ref: 'X' }]] }, { 'Fn::Join': ['', ['a', { 'Fn::FindInMap': ['M', 'k', 'v'] }]] }];
  expect(compactTemplate(kept)).toEqual(kept);
});
