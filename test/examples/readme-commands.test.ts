/**
 * The README's kubectl lines name objects that the code really writes: the trust probe's manifest
 * file and Job (README block after `<!-- test: trust-probe-commands -->`) against the workload flow's
 * synthesized charts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import { build } from '../../examples/flows/workload';
import { TrustProbeChart } from '../../src';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

function blockAfter(marker: string): string[] {
  const at = README.indexOf(`<!-- test: ${marker} -->`);
  expect(at).toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(README.slice(at))!;
  return block[1].split('\n').map((line) => line.trim()).filter(Boolean);
}

test('the trust-probe kubectl lines name the manifest file and Job the workload flow writes', () => {
  const [apply, logs] = blockAfter('trust-probe-commands');
  const file = /^kubectl apply -f dist\/workload\/([\w.-]+)\.yaml$/.exec(apply);
  const job = /^kubectl logs -n ([\w-]+) job\/([\w.-]+)$/.exec(logs);
  expect(file).not.toBeNull();
  expect(job).not.toBeNull();

  const k8s = Testing.app();
  build(new App(), k8s);
  const chart = k8s.charts.find((c) => c.node.id === file![1]); // cdk8s names the file after the chart ID
  expect(chart).toBeInstanceOf(TrustProbeChart);
  const jobs = chart!.toJson().filter((o: any) => o.kind === 'Job');
  expect(jobs.map((o: any) => [o.metadata.namespace, o.metadata.name])).toEqual([[job![1], job![2]]]);
});

test('a TrustProbeChart\'s Job is named after the chart unless jobName says otherwise', () => {
  const props = { serviceAccount: { namespace: 'ci', name: 'ci' }, firstRoleArn: 'arn:aws:iam::222222222222:role/ci' };
  const named = (chart: TrustProbeChart) => chart.toJson().find((o: any) => o.kind === 'Job').metadata.name;
  expect(named(new TrustProbeChart(Testing.app(), 'probe-prod', props))).toBe('probe-prod');
  expect(named(new TrustProbeChart(Testing.app(), 'probe-prod', { ...props, jobName: 'probe' }))).toBe('probe');
  expect(() => new TrustProbeChart(Testing.app(), 'Probe_Prod', props)).toThrow(/jobName \(not set, so the chart ID\): got "Probe_Prod"/);
});
