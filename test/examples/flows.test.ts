/**
 * Every complete per-flow app in examples/flows/ synthesizes: its stacks are cdk-nag clean and its
 * manifests schema-valid. A new file there is picked up without editing this test.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { Testing } from 'cdk8s';
import { manifestProblems } from '../harness/manifests';
import { expectNagClean } from '../harness/nag';

const FLOWS_DIR = path.join(__dirname, '..', '..', 'examples', 'flows');
const FLOW_FILES = fs.readdirSync(FLOWS_DIR).filter((file) => file.endsWith('.ts')).sort();

interface FlowModule {
  build(app: App, k8s: cdk8s.App): { stacks: Stack[] };
}

test('there is one complete app per flow', () => {
  expect(FLOW_FILES).toEqual(['amp-scraper.ts', 'container-cost.ts', 'container-insights.ts', 'organization.ts', 'remote-write.ts', 'workload.ts']);
});

describe.each(FLOW_FILES)('examples/flows/%s', (file) => {
  const source = fs.readFileSync(path.join(FLOWS_DIR, file), 'utf8');

  test('is a runnable app: it synthesizes when run as a script, and defines everything it uses', () => {
    expect(source).toMatch(/^#!\/usr\/bin\/env node/);
    expect(source).toContain('if (require.main === module)');
    expect(source).toContain('app.synth()');
  });

  test('synthesizes: every stack cdk-nag clean, every manifest schema-valid, all construct IDs unique', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const flow: FlowModule = require(path.join(FLOWS_DIR, file));
    const app = new App();
    const k8s = Testing.app();
    const { stacks } = flow.build(app, k8s);
    expect(stacks.length).toBeGreaterThan(0);
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(stacks.map((s) => s.stackName).sort());
    for (const stack of stacks) expectNagClean(stack);
    const objects = k8s.charts.flatMap((chart) => chart.toJson());
    if (objects.length > 0) expect(manifestProblems(objects)).toEqual([]);
  });
});
