/**
 * The stack options of every template launched as it is, without CDK bootstrap: the fleet's member
 * template (`FleetMemberStack`) and the vendor's customer templates (`CustomerTemplateStack`). One
 * source of truth, so both stay self-contained the same way.
 *
 * The `BootstraplessSynthesizer` writes no `BootstrapVersion` parameter and no `CheckBootstrapVersion`
 * rule, and refuses any file or image asset at synth ("Cannot add assets to a Stack that uses the
 * BootstraplessSynthesizer"); no analytics metadata either (the template is published as a file).
 */
import { BootstraplessSynthesizer, StackProps } from 'aws-cdk-lib';
import { ArgumentChecker } from './arguments';

/** The stack options every self-contained template uses. */
export function selfContainedStackProps(description?: string): StackProps {
  const a = new ArgumentChecker('selfContainedStackProps(description?)');
  a.string('description', description, undefined, { optional: true });
  return a.result(() => ({ synthesizer: new BootstraplessSynthesizer(), analyticsReporting: false, description: description ?? undefined }));
}
