/**
 * One thing per app: a registry per construct tree (the App) of what a construct claimed, so that
 * two constructs in different stacks of one app cannot both create a resource AWS allows once.
 */
import { IConstruct } from 'constructs';

const registries = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Claims `key` (of a kind) for `owner` in its app. Returns the path of the construct that claimed
 * it first, or undefined when `owner` is the first.
 */
export function claimInApp(owner: IConstruct, kind: string, key: string): string | undefined {
  const root = owner.node.root;
  let registry = registries.get(root);
  if (!registry) registries.set(root, registry = new Map());
  const earlier = registry.get(`${kind}\n${key}`);
  if (earlier !== undefined && earlier !== owner.node.path) return earlier;
  registry.set(`${kind}\n${key}`, owner.node.path);
  return undefined;
}
