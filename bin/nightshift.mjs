#!/usr/bin/env node
// Nightshift's command line. It runs the TypeScript sources directly, which needs Node ≥ 22.18.
// npm scripts and npx put the project's own Node 24 (the `node` devDependency) first on PATH;
// run directly by an older Node, this file hands over to that Node instead of failing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
const tooOld = major < 22 || (major === 22 && minor < 18);

if (tooOld) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const bundled = join(
    root,
    'node_modules',
    '.bin',
    process.platform === 'win32' ? 'node.cmd' : 'node',
  );
  if (existsSync(bundled) && !process.env.NIGHTSHIFT_REEXEC) {
    const child = spawn(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, NIGHTSHIFT_REEXEC: '1' },
      shell: process.platform === 'win32',
    });
    // The child is in our process group, so a terminal's Ctrl-C reaches it directly; a signal
    // sent to us alone (kill, a service manager) is passed on.
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
    child.on('error', (error) => {
      console.error(
        `nightshift: could not start the project's Node (${bundled}): ${error.message}`,
      );
      process.exit(1);
    });
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  } else {
    console.error(
      `nightshift needs Node 22.18 or newer (this is ${process.version}); run npm install in ${root} to get the project's own Node, or start it with npm start / npm run serve.`,
    );
    process.exit(1);
  }
} else {
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name !== 'ExperimentalWarning') console.warn(w.message);
  });
  const { main } = await import('../main/server/cli.ts');
  await main(process.argv.slice(2));
}
