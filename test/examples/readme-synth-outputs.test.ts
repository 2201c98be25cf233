/**
 * README "Try it" lists what `npm run synth` writes to cdk.out/. Every template the example app
 * synthesizes must be in that table (a `*` in a row stands for any characters), so a stack added to
 * the example is not left out of the journey.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import { demoSettings } from '../../examples/demo-settings';
import { buildExample } from '../../examples/example-app';

const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const listed = [...readme.matchAll(/^\| `cdk\.out\/([^`]+\.template\.json)` \|/gm)].map((m) => m[1]);
const pattern = (row: string) => new RegExp(`^${row.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);

test('every template of the example app is in the README table of `npm run synth`', () => {
  const app = new App();
  buildExample(app, Testing.app(), demoSettings(app));
  const templates = app.synth().stacks.map((stack) => stack.templateFile);
  expect(templates.length).toBeGreaterThanOrEqual(5);
  expect(templates.filter((file) => !listed.some((row) => pattern(row).test(file)))).toEqual([]);
});
