import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { roleArnWithoutPath } from './pin-request';
import { ArgumentChecker } from '../core/arguments';
import { ArnKind, arnRule } from '../core/rules';
import { PropsValidator, propsOrEmpty } from '../core/validation';

/**
 * Props of {@link AmpScraperRbacChart}.
 */
export interface AmpScraperRbacChartProps {
  /**
   * The scraper's service-linked role (the source stack's scraper `RoleArn`, or the ARN in the
   * `AwsAuthRoleArn` output). When given, `awsAuthMapRolesEntry` holds the aws-auth entry for it.
   *
   * @default - no aws-auth entry
   */
  readonly scraperRoleArn?: string;

  /**
   * Labels added to every object of the chart.
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

const COLLECTOR_USER = 'aps-collector-user';
const READ = ['describe', 'get', 'list', 'watch'];

/**
 * The Kubernetes access an AMP managed collector needs in a cluster whose authentication mode is
 * `CONFIG_MAP`: ClusterRole `aps-collector-role` and a ClusterRoleBinding to the user
 * `aps-collector-user`, which the aws-auth ConfigMap maps to the scraper's role.
 *
 * Clusters in `API` or `API_AND_CONFIG_MAP` mode need none of this: AMP creates the access entry
 * itself when the scraper is created. Never create an access entry for the scraper's role
 * yourself: access entries cannot name service-linked roles.
 */
export class AmpScraperRbacChart extends cdk8s.Chart {
  /**
   * The scraper role as aws-auth must name it: the ARN without any path (AWS's pages show the
   * service-linked role both with and without `aws-service-role/scraper.aps.amazonaws.com/`).
   *
   * @param scraperRoleArn the scraper's service-linked role ARN, with or without a path
   */
  public static awsAuthRoleArn(scraperRoleArn: string): string {
    const a = new ArgumentChecker('AmpScraperRbacChart.awsAuthRoleArn(scraperRoleArn)');
    // Its path is cut off at synth: a deploy-time value cannot be.
    a.string('scraperRoleArn', scraperRoleArn, arnRule(ArnKind.IAM_ROLE), { tokens: 'refused' });
    return a.result(() => roleArnWithoutPath(scraperRoleArn));
  }

  /**
   * The `mapRoles` entry (YAML) to add to the `aws-auth` ConfigMap in `kube-system`, when
   * `scraperRoleArn` was given. The chart does not write aws-auth itself: that ConfigMap holds
   * the cluster's node and admin mappings, and replacing it would lock them out.
   */
  public readonly awsAuthMapRolesEntry?: string;

  /**
   * @param scope the cdk8s app (or a construct in it)
   * @param id the chart ID, also the manifest file name
   * @param props the scraper role, for the aws-auth entry
   */
  constructor(scope: Construct, id: string, props: AmpScraperRbacChartProps = {}) {
    super(scope, id, { labels: propsOrEmpty(props).labels });
    props = propsOrEmpty(props);
    const v = PropsValidator.forChart(`AmpScraperRbacChart '${this.node.path}'`);
    v.check('scraperRoleArn', props.scraperRoleArn, arnRule(ArnKind.IAM_ROLE));
    v.labels('labels', props.labels);
    v.throwIfAny();

    const group = (apiGroup: string, ...resourceTypes: string[]) =>
      resourceTypes.map((resourceType) => kplus.ApiResource.custom({ apiGroup, resourceType }));
    const role = new kplus.ClusterRole(this, 'ClusterRole', { metadata: { name: 'aps-collector-role' } });
    role.allow(READ, ...group('', 'nodes', 'nodes/proxy', 'nodes/metrics', 'services', 'endpoints', 'pods', 'ingresses', 'configmaps'));
    role.allow(READ, ...group('extensions', 'ingresses', 'ingresses/status'), ...group('networking.k8s.io', 'ingresses', 'ingresses/status'));
    role.allow(['get'], kplus.NonApiResource.of('/metrics'));
    role.allow(['get'], ...group('metrics.eks.amazonaws.com', 'kcm/metrics', 'ksh/metrics'));
    new kplus.ClusterRoleBinding(this, 'ClusterRoleBinding', { metadata: { name: 'aps-collector-user-role-binding' }, role })
      .addSubjects(kplus.User.fromName(this, 'CollectorUser', COLLECTOR_USER));

    if (props.scraperRoleArn) {
      const rolearn = AmpScraperRbacChart.awsAuthRoleArn(props.scraperRoleArn);
      this.awsAuthMapRolesEntry = cdk8s.Yaml.stringify([{ rolearn, username: COLLECTOR_USER }]);
    }
  }
}
