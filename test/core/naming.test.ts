import { roleNameFromParts, stableHash } from '../../src/core/naming';
import { IAM_ROLE_NAME } from '../../src/core/rules';

test('short names are the parts joined by "-"', () => {
  expect(roleNameFromParts(['amp-remote-write', 'ws-1234'])).toBe('amp-remote-write-ws-1234');
  expect(roleNameFromParts(['a', '', 'b'])).toBe('a-b');
});

test('characters IAM rejects become "-"', () => {
  expect(roleNameFromParts(['cost', 'my cluster/1'])).toBe('cost-my-cluster-1');
});

test('long names are cut to 64 and end in a stable hash of the whole name', () => {
  const parts = ['container-cost', 'a-very-long-cluster-name-that-goes-on-and-on-and-on', 'ap-southeast-1'];
  const name = roleNameFromParts(parts);
  expect(name).toHaveLength(64);
  expect(IAM_ROLE_NAME.check(name)).toBeUndefined();
  expect(name).toBe(roleNameFromParts(parts));
  expect(name.endsWith(`-${stableHash(parts.join('-'))}`)).toBe(true);
  // Two long names that share their first 55 characters still differ.
  expect(roleNameFromParts([...parts.slice(0, 2), 'eu-west-1'])).not.toBe(name);
});

test('the hash is SHA-256, so it never changes between versions or machines', () => {
  expect(stableHash('abc')).toBe('ba7816bf');
});
