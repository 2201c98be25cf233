/**
 * A small evaluator for the CloudFormation intrinsics our templates use, so proofs can run on
 * the documents IAM would actually receive. Resource attributes are predicted the way
 * CloudFormation returns them; anything else must be given in `attributes` or the call throws.
 */
export interface DeployEnv {
  readonly account: string;
  readonly region: string;
  readonly partition?: string;
  /** Values for `Ref`/`Fn::GetAtt` this evaluator cannot predict, by logical ID then attribute (`Ref` for Ref). */
  readonly attributes?: Record<string, Record<string, string>>;
  /** Give `unpredictable:<id>.<attribute>` instead of throwing for what cannot be predicted (for linters). */
  readonly lenient?: boolean;
}

/** A synthesized template (`Template.fromStack(stack).toJSON()`). */
export type Template = Record<string, any>;

export function evaluate(value: any, template: Template, env: DeployEnv): any {
  const partition = env.partition ?? 'aws';
  const recurse = (v: any): any => evaluate(v, template, env);
  if (Array.isArray(value)) return value.map(recurse);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [fn] = keys;
    const arg = value[fn];
    switch (fn) {
      case 'Ref':
        return ref(arg, template, env, partition);
      case 'Fn::GetAtt':
        return getAtt(arg[0], arg[1], template, env, partition);
      case 'Fn::Join':
        return recurse(arg[1]).join(arg[0]);
      case 'Fn::Select':
        return recurse(arg[1])[Number(recurse(arg[0]))];
      case 'Fn::FindInMap':
        return template.Mappings[arg[0]][recurse(arg[1])][recurse(arg[2])];
      case 'Fn::Split':
        return String(recurse(arg[1])).split(arg[0]);
      case 'Fn::Sub':
        if (typeof arg !== 'string') throw new Error('Fn::Sub with variables is not supported');
        return arg.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          // `${!Literal}` is the text `${Literal}` (an IAM policy variable, for example).
          if (name.startsWith('!')) return `\${${name.slice(1)}}`;
          const [id, attr] = name.split('.');
          return attr ? getAtt(id, attr, template, env, partition) : ref(id, template, env, partition);
        });
      default:
        if (fn.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${fn}`);
    }
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, recurse(v)]));
}

function ref(id: string, template: Template, env: DeployEnv, partition: string): string {
  switch (id) {
    case 'AWS::AccountId': return env.account;
    case 'AWS::Region': return env.region;
    case 'AWS::Partition': return partition;
    case 'AWS::URLSuffix': return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    case 'AWS::StackName': return 'Stack';
    case 'AWS::StackId': return `arn:${partition}:cloudformation:${env.region}:${env.account}:stack/Stack/00000000-0000-0000-0000-000000000000`;
  }
  const given = env.attributes?.[id]?.Ref;
  if (given !== undefined) return given;
  const resource = resourceOf(id, template);
  const props = evaluate(resource.Properties ?? {}, template, env);
  switch (resource.Type) {
    case 'AWS::IAM::OIDCProvider': return `arn:${partition}:iam::${env.account}:oidc-provider/${props.Url.replace(/^https:\/\//, '')}`;
    case 'AWS::IAM::Role': return props.RoleName;
    case 'AWS::S3::Bucket': return props.BucketName;
    default:
      if (env.lenient) return `unpredictable:${id}.Ref`;
      throw new Error(`cannot predict Ref of ${id} (${resource.Type}); give it in env.attributes`);
  }
}

function getAtt(id: string, attr: string, template: Template, env: DeployEnv, partition: string): string {
  const given = env.attributes?.[id]?.[attr];
  if (given !== undefined) return given;
  const resource = resourceOf(id, template);
  const props = evaluate(resource.Properties ?? {}, template, env);
  if (resource.Type === 'AWS::IAM::Role' && attr === 'Arn') return `arn:${partition}:iam::${env.account}:role${props.Path ?? '/'}${props.RoleName}`;
  if (resource.Type === 'AWS::IAM::OIDCProvider' && attr === 'Arn') return ref(id, template, env, partition);
  if (resource.Type === 'AWS::S3::Bucket' && attr === 'Arn') return `arn:${partition}:s3:::${props.BucketName}`;
  if (resource.Type === 'AWS::S3::Bucket' && attr === 'RegionalDomainName') return `${props.BucketName}.s3.${env.region}.amazonaws.com`;
  if (resource.Type === 'AWS::Logs::LogGroup' && attr === 'Arn') return `arn:${partition}:logs:${env.region}:${env.account}:log-group:${props.LogGroupName ?? id}:*`;
  if (resource.Type === 'AWS::Lambda::Function' && attr === 'Arn') return `arn:${partition}:lambda:${env.region}:${env.account}:function:${props.FunctionName ?? id}`;
  if (env.lenient) return `unpredictable:${id}.${attr}`;
  throw new Error(`cannot predict ${id}.${attr} (${resource.Type}); give it in env.attributes`);
}

function resourceOf(id: string, template: Template) {
  const resource = template.Resources[id];
  if (!resource) throw new Error(`no resource ${id} in the template`);
  return resource;
}
