/**
 * Every synth warning ID that README.md or CONTRIBUTING.md names is one the library really emits, so
 * that a user acknowledging it (`Annotations.of(c).acknowledgeWarning('<package>:<id>', ...)`) silences
 * something. The IDs are read from the `warn(scope, '<id>', ...)` calls in src/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { WARNING_ID_PREFIX } from '../src/core/warnings';

const ROOT = path.join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

const emitted = new Set(sourceFiles(path.join(ROOT, 'src')).flatMap((file) =>
  [...fs.readFileSync(file, 'utf8').matchAll(/\bwarn\(\s*[\w.]+,\s*'([A-Za-z]+)'/g)].map((m) => m[1])));

/** `<package>:<id>` anywhere (not the Maven coordinate `<group>:<package>`), and the short forms the prose uses: "synth warns (`id`)", "warning ID `id`", ... */
function namedIn(doc: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
  const prefixed = [...text.matchAll(new RegExp(`${WARNING_ID_PREFIX}([A-Za-z]+)(?![-A-Za-z])`, 'g'))].map((m) => m[1]);
  const short = [...text.matchAll(/(?:warns?|says so|warning ID|acknowledges the)\s+\(?`([A-Za-z]+)`/g)].map((m) => m[1]);
  return [...new Set([...prefixed, ...short])];
}

test('the library emits warnings (the source scan works)', () => {
  expect(emitted.size).toBeGreaterThanOrEqual(10);
  expect(emitted).toContain('trustOpenToAccount');
});

test.each(['README.md', 'CONTRIBUTING.md'])('every warning ID %s names is emitted by src/', (doc) => {
  expect(namedIn(doc).filter((id) => !emitted.has(id))).toEqual([]);
});

test('README names the warnings its sections promise', () => {
  expect(namedIn('README.md')).toEqual(expect.arrayContaining(['trustOpenToAccount', 'containerLogsOff', 'windowsNodes', 'tenantsNotIsolated', 'membersNotIsolated', 'workspaceShared']));
});
