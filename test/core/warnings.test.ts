import * as fs from 'fs';
import * as path from 'path';
import { Annotations, App, Stack } from 'aws-cdk-lib';
import { Annotations as AssertAnnotations, Match } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { AmpScraperTargetRole } from '../../src';
import { warn, WARNING_ID_PREFIX } from '../../src/core/warnings';

function warningEntry(scope: Construct) {
  return scope.node.metadata.find((m) => m.type === 'aws:cdk:warning');
}

describe('warn', () => {
  test('the location the CDK CLI prints (the first trace frame) is the caller\'s line, not the library\'s', () => {
    const stack = new Stack(new App(), 'S');
    const construct = new Construct(stack, 'C');
    warn(construct, 'demo', 'something to look at');
    const trace = warningEntry(construct)?.trace ?? [];
    expect(trace[0]).toMatch(/warnings\.test\.ts:\d+:\d+/);
    expect(trace.some((frame) => frame.includes('/src/core/'))).toBe(false);
  });

  test('the warning carries the package-scoped ID, and acknowledging it removes it', () => {
    const stack = new Stack(new App(), 'S');
    const construct = new Construct(stack, 'C');
    warn(construct, 'demo', 'something to look at');
    AssertAnnotations.fromStack(stack).hasWarning('/S/C', Match.stringLikeRegexp(`\\[ack: ${WARNING_ID_PREFIX}demo\\]`));
    Annotations.of(construct).acknowledgeWarning(`${WARNING_ID_PREFIX}demo`, 'read and accepted');
    AssertAnnotations.fromStack(stack).hasNoWarning('/S/C', Match.anyValue());
  });

  test('a warning acknowledged on a parent before the construct exists is never added', () => {
    const stack = new Stack(new App(), 'S');
    Annotations.of(stack).acknowledgeWarning(`${WARNING_ID_PREFIX}demo`, 'accepted for the whole stack');
    const construct = new Construct(stack, 'C');
    warn(construct, 'demo', 'something to look at');
    expect(warningEntry(construct)).toBeUndefined();
  });

  test('a construct\'s warning (AmpScraperTargetRole, phase 1) points at the line that created it', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
    const target = new AmpScraperTargetRole(stack, 'Target', {
      sourceAccountId: '222222222222', clusterName: 'prod', workspaceArn: 'arn:aws:aps:us-east-1:111111111111:workspace/ws-1',
    });
    const trace = warningEntry(target)?.trace ?? [];
    expect(trace[0]).toMatch(/warnings\.test\.ts:\d+:\d+/);
  });

  test('every warning of the library goes through warn() (package-scoped ID, located at the user\'s line)', () => {
    const src = path.join(__dirname, '..', '..', 'src');
    const files = (fs.readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith(path.join('core', 'warnings.ts')));
    const direct = files.filter((f) => /addWarningV2\(|addWarning\(/.test(fs.readFileSync(path.join(src, f), 'utf8')));
    expect(direct).toEqual([]);
  });
});
