#!/usr/bin/env node
// Nightshift's command line. It runs the TypeScript sources directly, which needs Node ≥ 22.18
// (npm scripts put the project's Node 24 first on PATH: use `npm start` / `npm run serve`).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `nightshift needs Node 22.18 or newer (this is ${process.version}). Run it through npm (npm start, npm run serve), which uses the Node 24 installed with the project.`,
  );
  process.exit(1);
}
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning') console.warn(w.message);
});
const { main } = await import('../main/server/cli.ts');
await main(process.argv.slice(2));
