#!/usr/bin/env node
// Runs every bench/*.ts (or the ones named) on Node 24 and prints their figures.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const names = process.argv.slice(2);
const files = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && (names.length === 0 || names.some((n) => f.startsWith(n))))
  .sort();
for (const f of files) {
  console.log(`\n== bench/${f} ==`);
  execFileSync(process.execPath, [join(root, 'bench', f)], { stdio: 'inherit', cwd: root });
}
