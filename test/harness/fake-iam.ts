/**
 * A stateful in-memory IAM on aws-sdk-client-mock that answers the way IAM does: roles keyed
 * case-insensitively, NoSuchEntity and EntityAlreadyExists errors, URL-encoded trust documents,
 * Marker/IsTruncated pagination, and injectable faults (throttling, AccessDenied).
 */
import {
  AttachRolePolicyCommand, CreateRoleCommand, DeleteRoleCommand, DeleteRolePermissionsBoundaryCommand, DeleteRolePolicyCommand,
  DetachRolePolicyCommand, EntityAlreadyExistsException, GetAccountAuthorizationDetailsCommand, GetRoleCommand, GetRolePolicyCommand,
  IAMClient, IAMServiceException, ListAttachedRolePoliciesCommand, ListOpenIDConnectProvidersCommand, ListRolePoliciesCommand, ListRolesCommand,
  ListRoleTagsCommand, NoSuchEntityException, PutRolePermissionsBoundaryCommand, PutRolePolicyCommand,
  Tag, TagRoleCommand, UntagRoleCommand, UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';

export interface FakeRole {
  roleName: string;
  path: string;
  arn: string;
  trust: string;
  policies: Map<string, string>;
  tags: Map<string, string>;
  /** ARN of the permissions boundary, if any. */
  boundary?: string;
  /** ARNs of attached managed policies. */
  attached?: Set<string>;
}

type Fault = () => Error;

export interface SeedOptions {
  path?: string;
  tags?: Record<string, string>;
  policies?: Record<string, unknown>;
  boundary?: string;
  attached?: string[];
}

export class FakeIam {
  readonly roles = new Map<string, FakeRole>();
  /** Registered IAM OIDC provider ARNs. */
  readonly providers = new Set<string>();
  /** Every call, as "Command(RoleName)". */
  readonly calls: string[] = [];
  readonly stub: AwsStub<any, any, any>;
  /** Page size of ListRoles / ListRolePolicies, small so pagination is exercised. */
  pageSize = 2;
  /** Page size of GetAccountAuthorizationDetails (IAM: up to MaxItems, at most 1,000); tests keep it small. */
  authorizationDetailsPageSize?: number;
  /** Simulated latency of every call, for benchmarks (tests keep 0). */
  latencyMs = 0;
  private readonly faults = new Map<string, Fault[]>();

  constructor(private readonly account = '222222222222', private readonly partition = 'aws') {
    this.stub = mockClient(IAMClient);
    this.on(GetRoleCommand, (i) => ({ Role: this.describe(this.role(i.RoleName)) }));
    this.on(CreateRoleCommand, (i) => {
      if (this.roles.has(i.RoleName.toLowerCase())) throw new EntityAlreadyExistsException({ message: `Role with name ${i.RoleName} already exists.`, $metadata: {} });
      const path = i.Path ?? '/';
      const role: FakeRole = {
        roleName: i.RoleName,
        path,
        arn: `arn:${this.partition}:iam::${this.account}:role${path}${i.RoleName}`,
        trust: i.AssumeRolePolicyDocument,
        policies: new Map(),
        tags: new Map((i.Tags ?? []).map((t: Tag) => [t.Key!, t.Value!])),
        boundary: i.PermissionsBoundary,
        attached: new Set(),
      };
      this.roles.set(i.RoleName.toLowerCase(), role);
      return { Role: this.describe(role) };
    });
    this.on(UpdateAssumeRolePolicyCommand, (i) => { this.role(i.RoleName).trust = i.PolicyDocument; return {}; });
    this.on(PutRolePolicyCommand, (i) => { this.role(i.RoleName).policies.set(i.PolicyName, i.PolicyDocument); return {}; });
    this.on(GetRolePolicyCommand, (i) => {
      const document = this.role(i.RoleName).policies.get(i.PolicyName);
      if (document === undefined) throw noSuchEntity(`The role policy with name ${i.PolicyName} cannot be found.`);
      return { RoleName: i.RoleName, PolicyName: i.PolicyName, PolicyDocument: encodeURIComponent(document) };
    });
    this.on(DeleteRolePolicyCommand, (i) => {
      if (!this.role(i.RoleName).policies.delete(i.PolicyName)) throw noSuchEntity(`The role policy with name ${i.PolicyName} cannot be found.`);
      return {};
    });
    this.on(ListRolePoliciesCommand, (i) => this.page([...this.role(i.RoleName).policies.keys()], i.Marker, (names) => ({ PolicyNames: names })));
    this.on(ListRoleTagsCommand, (i) => ({ Tags: [...this.role(i.RoleName).tags].map(([Key, Value]) => ({ Key, Value })), IsTruncated: false }));
    this.on(TagRoleCommand, (i) => { (i.Tags ?? []).forEach((t: Tag) => this.role(i.RoleName).tags.set(t.Key!, t.Value!)); return {}; });
    this.on(UntagRoleCommand, (i) => { (i.TagKeys ?? []).forEach((k: string) => this.role(i.RoleName).tags.delete(k)); return {}; });
    this.on(DeleteRoleCommand, (i) => {
      const role = this.role(i.RoleName);
      if (role.policies.size > 0 || (role.attached?.size ?? 0) > 0) throw new IAMServiceException({ name: 'DeleteConflict', $fault: 'client', message: 'Cannot delete entity, must delete policies first.', $metadata: {} });
      this.roles.delete(role.roleName.toLowerCase());
      return {};
    });
    this.on(ListRolesCommand, (i) => {
      const prefix = i.PathPrefix ?? '/';
      const matching = [...this.roles.values()].filter((r) => r.path.startsWith(prefix)).sort((a, b) => a.roleName.localeCompare(b.roleName));
      // Like IAM, ListRoles returns neither trust documents nor tags: GetRole does.
      return this.page(matching, i.Marker, (roles) => ({ Roles: roles.map((r) => this.describe(r, false)) }));
    });
    // Every role of the account with its trust, tags, boundary, inline policies and attached policies
    // (documents URL-encoded, as IAM returns them), in pages; IAM has no path filter for it.
    this.on(GetAccountAuthorizationDetailsCommand, (i) => {
      if (!(i.Filter ?? ['Role']).includes('Role')) return { RoleDetailList: [], IsTruncated: false };
      const all = [...this.roles.values()].sort((a, b) => a.roleName.localeCompare(b.roleName));
      const pageSize = Math.min(i.MaxItems ?? 100, this.authorizationDetailsPageSize ?? this.pageSize);
      return this.page(all, i.Marker, (roles) => ({
        RoleDetailList: roles.map((r) => ({
          ...this.describe(r),
          RolePolicyList: [...r.policies].map(([PolicyName, document]) => ({ PolicyName, PolicyDocument: encodeURIComponent(document) })),
          AttachedManagedPolicies: [...(r.attached ?? [])].map((PolicyArn) => ({ PolicyArn, PolicyName: PolicyArn.split('/').pop() })),
        })),
      }), pageSize);
    });
    // Managed policies and permissions boundaries, as IAM keeps them per role.
    this.on(AttachRolePolicyCommand, (i) => { const r = this.role(i.RoleName); (r.attached ??= new Set()).add(i.PolicyArn); return {}; });
    this.on(DetachRolePolicyCommand, (i) => {
      if (!this.role(i.RoleName).attached?.delete(i.PolicyArn)) throw noSuchEntity(`Policy ${i.PolicyArn} was not found.`);
      return {};
    });
    this.on(ListAttachedRolePoliciesCommand, (i) => this.page([...(this.role(i.RoleName).attached ?? [])], i.Marker,
      (arns) => ({ AttachedPolicies: arns.map((PolicyArn) => ({ PolicyArn, PolicyName: PolicyArn.split('/').pop() })) })));
    this.on(PutRolePermissionsBoundaryCommand, (i) => { this.role(i.RoleName).boundary = i.PermissionsBoundary; return {}; });
    this.on(DeleteRolePermissionsBoundaryCommand, (i) => { this.role(i.RoleName).boundary = undefined; return {}; });
    this.on(ListOpenIDConnectProvidersCommand, () => ({ OpenIDConnectProviderList: [...this.providers].map((Arn) => ({ Arn })) }));
  }

  /** Adds a role directly (state that existed before the code under test ran). */
  seedRole(roleName: string, trust: unknown, options: SeedOptions = {}): FakeRole {
    const path = options.path ?? '/';
    const role: FakeRole = {
      roleName,
      path,
      arn: `arn:${this.partition}:iam::${this.account}:role${path}${roleName}`,
      trust: JSON.stringify(trust),
      policies: new Map(Object.entries(options.policies ?? {}).map(([k, v]) => [k, JSON.stringify(v)])),
      tags: new Map(Object.entries(options.tags ?? {})),
      boundary: options.boundary,
      attached: new Set(options.attached ?? []),
    };
    this.roles.set(roleName.toLowerCase(), role);
    return role;
  }

  /** Makes the next `times` calls of a command (for one role, if named) fail with the given error. */
  failNext(command: string, error: Fault, times = 1, roleName?: string): void {
    const key = roleName ? `${command}:${roleName.toLowerCase()}` : command;
    this.faults.set(key, [...(this.faults.get(key) ?? []), ...Array(times).fill(error)]);
  }

  /** Calls that change state. */
  writes(): string[] {
    return this.calls.filter((c) => !/^(Get|List)/.test(c));
  }

  /** Runs `fn` once, just before the next call of a command (for one role, if named), then lets the call proceed: a concurrent change. */
  beforeNext(command: string, fn: () => void, roleName?: string): void {
    this.failNext(command, () => { fn(); return PROCEED; }, 1, roleName);
  }

  /** Registers the IAM OIDC provider for an issuer URL. */
  addProvider(issuerUrl: string): void {
    this.providers.add(`arn:${this.partition}:iam::${this.account}:oidc-provider/${issuerUrl.replace('https://', '')}`);
  }

  restore(): void {
    this.stub.restore();
  }

  private on(command: any, fn: (input: any) => unknown): void {
    const name = command.name.replace(/Command$/, '');
    this.stub.on(command).callsFake(async (input: any) => {
      this.calls.push(`${name}(${input.RoleName ?? input.PathPrefix ?? ''})`);
      if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      const fault = (input.RoleName ? this.faults.get(`${name}:${String(input.RoleName).toLowerCase()}`)?.shift() : undefined) ?? this.faults.get(name)?.shift();
      if (fault) {
        const error = fault();
        if (error !== PROCEED) throw error;
      }
      return fn(input);
    });
  }

  private role(roleName: string): FakeRole {
    const role = this.roles.get(roleName.toLowerCase());
    if (!role) throw noSuchEntity(`The role with name ${roleName} cannot be found.`);
    return role;
  }

  private describe(role: FakeRole, full = true) {
    return {
      RoleName: role.roleName,
      Path: role.path,
      Arn: role.arn,
      RoleId: `AROA${role.roleName.toUpperCase().slice(0, 12)}`,
      CreateDate: new Date(0),
      // Like IAM, ListRoles returns neither trust documents nor tags: GetRole does.
      ...(full ? { AssumeRolePolicyDocument: encodeURIComponent(role.trust), Tags: [...role.tags].map(([Key, Value]) => ({ Key, Value })) } : {}),
      ...(full && role.boundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: role.boundary } } : {}),
    };
  }

  private page<T, R>(
    items: T[], marker: string | undefined, wrap: (page: T[]) => R, pageSize = this.pageSize,
  ): R & { IsTruncated: boolean; Marker?: string } {
    const start = marker ? Number(marker) : 0;
    const page = items.slice(start, start + pageSize);
    const next = start + pageSize;
    return { ...wrap(page), IsTruncated: next < items.length, ...(next < items.length ? { Marker: String(next) } : {}) };
  }
}

/** A fault that is no fault: `beforeNext` hooks return it to let the call go on. */
const PROCEED = new Error('proceed');

export function noSuchEntity(message: string): Error {
  return new NoSuchEntityException({ message, $metadata: {} });
}

export function throttling(): Error {
  return new IAMServiceException({ name: 'Throttling', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
}

export function accessDenied(): Error {
  return new IAMServiceException({ name: 'AccessDenied', $fault: 'client', message: 'User is not authorized to perform this action', $metadata: { httpStatusCode: 403 } });
}
