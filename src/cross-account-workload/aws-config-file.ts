/**
 * The AWS CLI/SDK shared config file a workload mounts, generated from typed profiles (never
 * concatenated by hand). Pure: no aws-cdk-lib import.
 */

/** Where EKS mounts the IRSA web-identity token in a pod. */
export const IRSA_TOKEN_FILE = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';

export interface ConfigProfile {
  readonly name: string;
  readonly settings: Record<string, string | undefined>;
}

/**
 * The profiles of the pod in AWS's cross-account EKS blog post, for a chain from the pod's identity into each target role:
 * with IRSA, a `source` profile on the web-identity token and each target with `source_profile`;
 * with Pod Identity, each target with `credential_source = EcsContainer` (the container
 * credentials endpoint EKS Pod Identity serves).
 */
export function chainProfiles(
  mode: 'IRSA' | 'POD_IDENTITY',
  sourceRoleArn: string | undefined,
  targets: Array<{ profile: string; roleArn: string; externalId?: string; region?: string }>,
  sessionName: string,
): ConfigProfile[] {
  const profiles: ConfigProfile[] = [];
  if (mode === 'IRSA') {
    profiles.push({ name: 'source', settings: { role_arn: sourceRoleArn, web_identity_token_file: IRSA_TOKEN_FILE, role_session_name: sessionName } });
  }
  for (const target of targets) {
    profiles.push({
      name: target.profile,
      settings: {
        role_arn: target.roleArn,
        ...(mode === 'IRSA' ? { source_profile: 'source' } : { credential_source: 'EcsContainer' }),
        role_session_name: sessionName,
        external_id: target.externalId,
        region: target.region,
      },
    });
  }
  return profiles;
}

/**
 * The profile of a pod that already holds the target role: nothing is assumed in the pod.
 * - Pod Identity with a target role: EKS assumes the association's role, then the target role, and
 *   the container credentials endpoint serves the target role's credentials (EKS API reference,
 *   CreatePodIdentityAssociation `targetRoleArn`: "the credentials for this role are injected into
 *   the Pod"). A profile without credential settings lets the SDK's default chain reach that
 *   endpoint; `credential_source = EcsContainer` with `role_arn` would make the target role assume
 *   itself, which its trust does not allow.
 * - IRSA on the target role itself: the web-identity token is exchanged for it directly.
 */
export function targetRoleProfiles(
  mode: 'IRSA' | 'POD_IDENTITY',
  target: { profile: string; roleArn: string; region?: string },
  sessionName: string,
): ConfigProfile[] {
  const settings = mode === 'IRSA'
    ? { role_arn: target.roleArn, web_identity_token_file: IRSA_TOKEN_FILE, role_session_name: sessionName, region: target.region }
    : { region: target.region };
  return [{ name: target.profile, settings }];
}

/** INI text; `default` is written `[default]`, every other profile `[profile <name>]`. */
export function renderConfigFile(profiles: ConfigProfile[]): string {
  return profiles.map((profile) => {
    const header = profile.name === 'default' ? '[default]' : `[profile ${profile.name}]`;
    const lines = Object.entries(profile.settings).filter(([, value]) => value !== undefined).map(([key, value]) => `${key} = ${value}`);
    return [header, ...lines].join('\n');
  }).join('\n\n') + '\n';
}
