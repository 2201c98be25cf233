#!/usr/bin/env node
/**
 * Prints the shell commands of the README code block that follows `<!-- ci: <name> -->`, so CI runs
 * exactly what the README tells a user to run (and a README edit cannot drift from CI).
 *
 *   bash -c "$(node scripts/readme-commands.mjs try-it)"
 */
import { readFileSync } from 'node:fs';

const name = process.argv[2];
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const marker = `<!-- ci: ${name} -->`;
const at = readme.indexOf(marker);
if (!name || at < 0) fail(`no "${marker}" in README.md`);
const block = /```(?:sh|bash|shell)\n([\s\S]*?)```/.exec(readme.slice(at + marker.length));
if (!block) fail(`no sh code block after "${marker}"`);
// Join continued lines, drop comments and blank lines: one command a line.
const commands = block[1].replace(/\\\n\s*/g, '').split('\n')
  .map((line) => line.replace(/\s+#.*$/, '').trim())
  .filter((line) => line && !line.startsWith('#'));
if (commands.length === 0) fail(`the block after "${marker}" has no commands`);
console.log(commands.join('\n'));

function fail(message) {
  console.error(`readme-commands: ${message}`);
  process.exit(1);
}
