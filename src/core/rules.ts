/**
 * Input rules shared by every construct, chart and Lambda handler. Pure: no aws-cdk-lib import.
 * A rule answers `undefined` when the value is fine, or a short reason when it is not; the
 * `expected` text tells the user the form we want.
 */
import { PARTITIONS, partitionOf } from './partition';

export interface Rule {
  /** The form a valid value has, shown in every error message. */
  readonly expected: string;
  /** `undefined` when valid, otherwise why not. */
  check(value: string): string | undefined;
}

function pattern(expected: string, re: RegExp, maxLength?: number): Rule {
  return {
    expected,
    check: (value) => {
      if (maxLength !== undefined && value.length > maxLength) {
        return `${value.length} characters, the limit is ${maxLength}`;
      }
      return re.test(value) ? undefined : 'does not match';
    },
  };
}

export const ACCOUNT_ID: Rule = pattern('a 12-digit AWS account ID', /^\d{12}$/);

// Region codes: <area>[-<qualifier>]-<direction>-<n>, e.g. us-east-1, us-gov-west-1, eusc-de-east-1.
const REGION_RE = /^[a-z]{2,4}(-[a-z]{2,5})?-(central|north|south|east|west|northeast|northwest|southeast|southwest)-\d{1,2}$/;
export const REGION: Rule = pattern('an AWS region name such as us-east-1', REGION_RE);

export const IAM_ROLE_NAME: Rule = pattern(
  'an IAM role name: 1-64 characters from A-Z a-z 0-9 and _+=,.@-',
  /^[\w+=,.@-]+$/,
  64,
);

// IAM API pattern for paths: "/" or "/" + printable ASCII + "/", at most 512 characters.
export const IAM_PATH: Rule = pattern('an IAM path: "/" or "/segment/.../"', /^\/([\x21-\x7E]*\/)?$/, 512);

// RFC 1123 label: namespaces.
export const K8S_NAMESPACE: Rule = pattern(
  'a Kubernetes namespace (RFC 1123 label: lowercase a-z, 0-9 and "-", starting and ending alphanumeric, at most 63)',
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  63,
);

const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// RFC 1123 subdomain: service accounts, ConfigMaps and most other object names.
export const K8S_NAME: Rule = pattern(
  'a Kubernetes object name (RFC 1123 subdomain: lowercase a-z, 0-9, "-" and ".", at most 253)',
  DNS_SUBDOMAIN_RE,
  253,
);

/** A service-account name in an IRSA trust: an RFC 1123 name where `*` and `?` may stand for any characters. */
export const K8S_SERVICE_ACCOUNT_PATTERN: Rule = {
  expected: 'a Kubernetes service-account name (RFC 1123 subdomain), optionally with * or ? wildcards',
  check: (value) => K8S_NAME.check(value.replace(/[*?]/g, 'a')),
};

// Kubernetes label syntax ("Labels and Selectors", Syntax and character set): a key is an optional
// prefix (a DNS subdomain, at most 253) and "/", then a name of at most 63 characters from
// [A-Za-z0-9-_.], starting and ending alphanumeric; a value is empty or such a name.
const LABEL_NAME_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
export const K8S_LABEL_KEY: Rule = {
  expected: 'a Kubernetes label key: [<DNS subdomain prefix>/]<name>, the name at most 63 characters from A-Z a-z 0-9 - _ ., starting and ending alphanumeric',
  check: (value) => {
    const parts = value.split('/');
    if (parts.length > 2) return 'has more than one "/"';
    const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
    if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN_RE.test(prefix))) return `prefix "${prefix}" is not a DNS subdomain`;
    if (name.length > 63) return `name is ${name.length} characters, the limit is 63`;
    return LABEL_NAME_RE.test(name) ? undefined : 'name does not match';
  },
};
export const K8S_LABEL_VALUE: Rule = {
  expected: 'a Kubernetes label value: empty, or at most 63 characters from A-Z a-z 0-9 - _ ., starting and ending alphanumeric',
  check: (value) => (value === '' ? undefined : value.length > 63 ? `${value.length} characters, the limit is 63` : LABEL_NAME_RE.test(value) ? undefined : 'does not match'),
};

/**
 * A container image pinned to a tag other than "latest", or to a digest. The repository path is lower
 * case (OCI distribution spec: path components match `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`); the
 * registry host before the first "/" may carry a port.
 */
export const PINNED_IMAGE: Rule = {
  expected: 'an image pinned to a tag or digest, with a lower-case repository: [<registry>/]<repository>:<tag> or ...@sha256:<64 hex>',
  check: (value) => {
    if (/\s/.test(value)) return 'contains white space';
    const [withoutDigest, digest] = value.split('@');
    if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest)) return 'the digest is not sha256:<64 lower-case hex>';
    const slash = withoutDigest.lastIndexOf('/');
    const colon = withoutDigest.lastIndexOf(':');
    const tag = colon > slash ? withoutDigest.slice(colon + 1) : undefined;
    const reference = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
    const parts = reference.split('/');
    const host = parts.length > 1 && /[.:]|^localhost$/.test(parts[0]) ? parts.shift() : undefined;
    if (host !== undefined && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) return `registry "${host}" is not a host[:port]`;
    const component = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
    const bad = parts.find((p) => !component.test(p));
    if (bad !== undefined) return `repository path component "${bad}" is not lower-case a-z 0-9 with . _ - separators`;
    if (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag)) return `tag "${tag}" is not a valid tag`;
    if (digest === undefined && (tag === undefined || tag === 'latest')) return 'not pinned: give a tag other than "latest" or a digest';
    return undefined;
  },
};

/**
 * An SSM parameter name (Systems Manager user guide, "Parameter name requirements and constraints"):
 * a-z A-Z 0-9 and _ . - /, at most 1,011 characters with at most 15 levels; not starting with "aws" or
 * "ssm" (any case), with or without a leading "/".
 */
export const SSM_PARAMETER_NAME: Rule = {
  expected: 'an SSM parameter name: up to 1011 characters from a-z A-Z 0-9 _ . - /, at most 15 levels, not starting with aws or ssm',
  check: (value) => {
    if (value.length > 1011) return `${value.length} characters, the limit is 1011`;
    if (!/^[a-zA-Z0-9_.\-/]+$/.test(value)) return 'has characters outside a-z A-Z 0-9 _ . - /';
    if (/^\/?(aws|ssm)/i.test(value)) return 'starts with aws or ssm, which SSM reserves';
    if (value.split('/').filter((p) => p !== '').length > 15) return 'has more than 15 levels';
    if (value.includes('//')) return 'has an empty level ("//")';
    return undefined;
  },
};

// EKS add-on versions as DescribeAddonVersions lists them: v<major>.<minor>.<patch>-eksbuild.<n>
// (EKS user guide, "Amazon EKS add-ons": e.g. v4.1.0-eksbuild.1 for amazon-cloudwatch-observability).
export const EKS_ADDON_VERSION: Rule = pattern('an EKS add-on version such as v4.1.0-eksbuild.1', /^v\d+\.\d+\.\d+-eksbuild\.\d+$/, 100);

// EKS CreateCluster: 1-100 characters, starting alphanumeric.
export const EKS_CLUSTER_NAME: Rule = pattern(
  'an EKS cluster name: 1-100 characters from A-Z a-z 0-9 _ -, starting alphanumeric',
  /^[0-9A-Za-z][A-Za-z0-9\-_]*$/,
  100,
);

/**
 * OIDC issuer URLs. IAM wants `https://`, a host, an optional path, no query and no port
 * (IAM API reference, CreateOpenIDConnectProvider: "path components are allowed but query
 * parameters are not ... The URL should not contain a port number"), at most 255 characters.
 * EKS issuers are checked strictly: `https://oidc.eks.<region>.<dns suffix>/id/<32 hex>`.
 */
export const OIDC_ISSUER_URL: Rule = {
  expected:
    'an OIDC issuer URL: https://oidc.eks.<region>.amazonaws.com/id/<32 uppercase hex> for EKS, '
    + 'or https://<lowercase host>[/<path>] without port, query, fragment or trailing "/"',
  check: (value) => {
    if (value.length > 255) return `${value.length} characters, the limit is 255`;
    if (!value.startsWith('https://')) return 'must start with https://';
    if (/\s/.test(value)) return 'contains white space';
    if (value.endsWith('/')) return 'ends with "/"';
    if (/[?#]/.test(value)) return 'has a query or fragment';
    const hostAndPath = value.slice('https://'.length);
    const host = hostAndPath.split('/')[0];
    if (host.includes(':')) return 'has a port';
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(host)) {
      return `host "${host}" is not a lowercase DNS name`;
    }
    if (host.startsWith('oidc.eks.')) {
      const eks = /^oidc\.eks\.([a-z0-9-]+)\.(amazonaws\.com(?:\.cn)?|amazonaws\.eu|[a-z0-9.-]+)\/id\/([^/]+)$/.exec(hostAndPath);
      if (!eks) return 'an EKS issuer has the form oidc.eks.<region>.<dns suffix>/id/<ID>';
      const [, region, suffix, id] = eks;
      if (REGION.check(region)) return `"${region}" is not a region`;
      if (suffix !== partitionOf(region).dnsSuffix) {
        return `region ${region} uses the DNS suffix ${partitionOf(region).dnsSuffix}, not ${suffix}`;
      }
      if (!/^[0-9A-F]{32}$/.test(id)) return `cluster ID "${id}" is not 32 uppercase hex characters`;
    }
    return undefined;
  },
};

/** The ARN kinds this library accepts, each with the resource part it must have. */
export enum ArnKind {
  APS_WORKSPACE = 'aps-workspace',
  APS_SCRAPER = 'aps-scraper',
  IAM_ROLE = 'iam-role',
  IAM_OIDC_PROVIDER = 'iam-oidc-provider',
  EKS_CLUSTER = 'eks-cluster',
}

interface ArnShape {
  readonly service: string;
  readonly regional: boolean;
  readonly resource: RegExp;
  readonly expected: string;
}

const ARN_SHAPES: Record<ArnKind, ArnShape> = {
  [ArnKind.APS_WORKSPACE]: {
    service: 'aps',
    regional: true,
    resource: /^workspace\/ws-[0-9A-Za-z][-0-9A-Za-z]{0,62}$/,
    expected: 'an AMP workspace ARN: arn:<partition>:aps:<region>:<12-digit account>:workspace/ws-<id>',
  },
  [ArnKind.APS_SCRAPER]: {
    service: 'aps',
    regional: true,
    resource: /^scraper\/s-[0-9A-Za-z][-0-9A-Za-z]{0,62}$/,
    expected: 'an AMP scraper ARN: arn:<partition>:aps:<region>:<12-digit account>:scraper/s-<id>',
  },
  [ArnKind.IAM_ROLE]: {
    service: 'iam',
    regional: false,
    resource: /^role\/([\x21-\x7E]*\/)?[\w+=,.@-]{1,64}$/,
    expected: 'an IAM role ARN: arn:<partition>:iam::<12-digit account>:role/[<path>/]<name>',
  },
  [ArnKind.IAM_OIDC_PROVIDER]: {
    service: 'iam',
    regional: false,
    resource: /^oidc-provider\/[a-z0-9.-]+(\/[^\s?#]*)?$/,
    expected: 'an IAM OIDC provider ARN: arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host and path>',
  },
  [ArnKind.EKS_CLUSTER]: {
    service: 'eks',
    regional: true,
    resource: /^cluster\/[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/,
    expected: 'an EKS cluster ARN: arn:<partition>:eks:<region>:<12-digit account>:cluster/<name>',
  },
};

/** The parts of an ARN. */
export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** Splits an ARN into its parts, or `undefined` when it has fewer than six parts. */
export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, account, ...rest] = parts;
  return { partition, service, region, account, resource: rest.join(':') };
}

/** The rule for one kind of ARN: partition, service, region (when regional), account and resource. */
export function arnRule(kind: ArnKind): Rule {
  const shape = ARN_SHAPES[kind];
  return {
    expected: shape.expected,
    check: (value) => {
      const arn = parseArn(value);
      if (!arn) return 'not an ARN';
      if (!PARTITIONS.includes(arn.partition)) return `unknown partition "${arn.partition}"`;
      if (arn.service !== shape.service) return `service is "${arn.service}", not "${shape.service}"`;
      if (shape.regional) {
        if (REGION.check(arn.region)) return `"${arn.region}" is not a region`;
        if (partitionOf(arn.region).partition !== arn.partition) {
          return `region ${arn.region} is in partition ${partitionOf(arn.region).partition}, not ${arn.partition}`;
        }
      } else if (arn.region !== '') {
        return 'IAM ARNs have no region';
      }
      if (ACCOUNT_ID.check(arn.account)) return `"${arn.account}" is not a 12-digit account ID`;
      if (!shape.resource.test(arn.resource)) return `resource "${arn.resource}" has the wrong form`;
      return undefined;
    },
  };
}
