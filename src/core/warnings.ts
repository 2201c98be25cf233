import * as path from 'path';
import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Every warning ID of this library starts with this (`<package>:<id>`). */
export const WARNING_ID_PREFIX = 'cdk-eks-cross-account-observability:';

// This file is <library>/core/warnings.{ts,js}: src/ in the repository, lib/ in the npm package.
const LIBRARY_DIR = path.resolve(__dirname, '..') + path.sep;
const FRAMEWORK_FRAME = /node_modules[\\/](aws-cdk-lib|constructs)[\\/]|\(node:|^node:/;

/**
 * Adds a synth warning that the user can acknowledge with
 * `Annotations.of(construct).acknowledgeWarning('cdk-eks-cross-account-observability:<id>', reason)`.
 *
 * The CDK CLI prints a warning's location from the first frame of its stack trace, which would be
 * this library's own line; the trace is cut so that it starts in the user's code (the line that
 * created the construct), which is where the user can act on it.
 */
export function warn(scope: IConstruct, id: string, message: string): void {
  const fullId = `${WARNING_ID_PREFIX}${id}`;
  Annotations.of(scope).addWarningV2(fullId, message);
  const text = `${message} [ack: ${fullId}]`;
  const entry = scope.node.metadata.find((m) => m.data === text);
  if (entry?.trace) (entry as { trace?: string[] }).trace = userFrames(entry.trace);
}

/** The frames outside this library and the CDK framework (all of them, if none is). */
function userFrames(trace: readonly string[]): string[] {
  const outside = trace.filter((frame) => !frame.includes(LIBRARY_DIR) && !FRAMEWORK_FRAME.test(frame));
  return outside.length > 0 ? outside : [...trace];
}
