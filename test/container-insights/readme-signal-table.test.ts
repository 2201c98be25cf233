/**
 * The README's "where each signal lands" table is the route table itself (`containerInsightsSignalRoutes`,
 * which the constructs' `signalRoutes` and the trust probe use), rendered: the test fails when they drift.
 * `UPDATE_README_TABLE=1 npx jest test/container-insights/readme-signal-table.test.ts` rewrites it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AgentIdentityMode } from '../../src';
import { ContainerInsightsInstallRoute, ContainerInsightsSignalRoute, containerInsightsSignalRoutes } from '../../src/container-insights/signal-routes';

const README = path.join(__dirname, '..', '..', 'README.md');
const BEGIN = '<!-- signal-routes:begin (generated from containerInsightsSignalRoutes; test/container-insights/readme-signal-table.test.ts) -->';
const END = '<!-- signal-routes:end -->';
const ROUTES: Array<[ContainerInsightsInstallRoute, string]> = [['addon', '`CloudWatchObservabilityAddon`'], ['chart', '`CloudWatchAgentChart`']];
const MODES = [AgentIdentityMode.NODE_ROLES, AgentIdentityMode.IRSA, AgentIdentityMode.POD_IDENTITY];
const ACCOUNT: Record<string, string> = {
  target: 'target account',
  cluster: '**cluster account**',
  denied: '**nowhere** (denied)',
  none: 'not collected',
};

/** Markdown for a cell: log group names as code, any other `<` `>` `|` escaped. */
function cell(text: string): string {
  return text.split(/(\/aws\/containerinsights\/[^\s,]+)/).map((part, i) =>
    (i % 2 === 1 ? `\`${part}\`` : part.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|'))).join('');
}

function landsIn(route: ContainerInsightsSignalRoute): string {
  const where = ACCOUNT[route.account] ?? route.account;
  return route.destinations.length === 0 ? where : `${where}: ${cell(route.destinations.join(', '))}`;
}

export function signalTable(): string {
  const rows = ['| route | mode | signal | writer, identity | lands in |', '|---|---|---|---|---|'];
  for (const [route, routeName] of ROUTES) {
    for (const identityMode of MODES) {
      for (const r of containerInsightsSignalRoutes({ route, identityMode, clusterName: '<cluster>', reportedClusterName: '<name>', containerLogs: true })) {
        rows.push(`| ${routeName} | \`${identityMode}\` | ${cell(r.signal)} | ${cell(`${r.writer}; ${r.identity}`)} | ${landsIn(r)} |`);
      }
    }
  }
  return rows.join('\n');
}

test('the README\'s signal table is the route table, rendered (both routes, all three modes, every signal)', () => {
  const readme = fs.readFileSync(README, 'utf8');
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const expected = `${BEGIN}\n${signalTable()}\n${END}`;
  if (process.env.UPDATE_README_TABLE === '1') fs.writeFileSync(README, readme.slice(0, start) + expected + readme.slice(end + END.length));
  else expect(readme.slice(start, end + END.length)).toBe(expected);
});

test('the table covers what the constructs can produce: per mode, 5 add-on signals (two Windows rows) and 4 chart signals', () => {
  expect(signalTable().split('\n').length - 2).toBe(3 * (5 + 4));
});
