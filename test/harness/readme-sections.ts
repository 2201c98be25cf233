/** The README's `## ` sections that hold TypeScript, each with its ts blocks joined in order. */
import * as fs from 'fs';
import * as path from 'path';

export function readmeTsSections(root: string = path.join(__dirname, '..', '..')): Array<{ title: string; code: string }> {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  return readme.split(/\n## /).map((section) => ({
    title: section.split('\n')[0],
    code: [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n'),
  })).filter((s) => s.code.length > 0);
}
