/**
 * README "Scale, on paper and by simulation" states the fleet member template's size for the example
 * and for a remote-write-only fleet (from bench/fleet-scale.ts). Those figures drift whenever the
 * handler bundle or the member template changes; this holds them within 3% of what synthesizes now,
 * and the example's "bytes to spare" consistent with its size. Re-run `npm run bench` to refresh them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import { demoSettings } from '../../examples/demo-settings';
import { buildExample } from '../../examples/example-app';
import { ObservabilityFleetSource } from '../../src';

const INLINE_LIMIT = 51_200;
const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const bytes = (s: string) => Number(s.replace(/,/g, ''));

function row(label: string): string {
  const line = readme.split('\n').find((l) => l.startsWith(`| ${label} |`));
  if (!line) throw new Error(`README has no member-template row "${label}"`);
  return line;
}

test('the example row: size within 3%, inline, and its bytes to spare add up to the inline limit', () => {
  const line = row('the example (`examples/organization.ts`): all four flows, one workload, OAM links in two regions');
  const [, size, spare] = /\| ([\d,]+) bytes, \d+ resources \| inline \(51,200 limit\), ([\d,]+) bytes to spare \|/.exec(line) ?? [];
  const app = new App();
  const fleet = buildExample(app, Testing.app(), demoSettings(app)).organization.fleet;
  expect(fleet.templateInline).toBe(true);
  expect(Math.abs(fleet.memberTemplateSize - bytes(size)) / fleet.memberTemplateSize).toBeLessThan(0.03);
  expect(bytes(size) + bytes(spare)).toBe(INLINE_LIMIT);
});

test('the remote-write-only row: size within 3%, inline with the readable handler', () => {
  const [, size] = /\| ([\d,]+) bytes, \d+ resources \| inline/.exec(row('remote write only')) ?? [];
  const fleet = new ObservabilityFleetSource(new Stack(new App(), 'Management', { env: { account: '100000000000', region: 'us-east-1' } }), 'Fleet', {
    organizationalUnitIds: ['ou-ab12-11111111'],
    regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
    remoteWrite: { targetRoleArn: 'arn:aws:iam::111111111111:role/amp-remote-write' },
  });
  expect({ inline: fleet.templateInline, compressed: fleet.handlerCompressed }).toEqual({ inline: true, compressed: false });
  expect(Math.abs(fleet.memberTemplateSize - bytes(size)) / fleet.memberTemplateSize).toBeLessThan(0.03);
});
