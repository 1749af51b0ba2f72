#!/usr/bin/env node
/**
 * Runs the test suites with node's own test runner (Node 24, from the `node` devDependency) and
 * ends with one line `<N> passed, <M> failed` over every suite, which is what CI reads.
 *
 *   node scripts/test.mjs                 all suites: unit, integration, faults, e2e, electron
 *   node scripts/test.mjs unit e2e        only those suites
 *   node scripts/test.mjs test/unit/x.test.ts   only those files
 */
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `Tests run on Node 24 (this is ${process.version}). Run them through npm (npm test), which puts the node devDependency first on PATH.`,
  );
  process.exit(1);
}
// A stray `require('electron')` must fail fast instead of trying to download a binary.
process.env.ELECTRON_OVERRIDE_DIST_PATH ??= join(root, '.tmp', 'no-electron-here');
process.env.NIGHTSHIFT_TEST = '1';
// Every answer and event of the app is checked against the contract while tests run.
process.env.NIGHTSHIFT_VERIFY_CONTRACT ??= '1';

const suites = ['unit', 'integration', 'faults', 'e2e', 'electron'];
const args = process.argv.slice(2);
const wanted = args.filter((a) => suites.includes(a));
const explicitFiles = args.filter((a) => !suites.includes(a)).map((f) => resolve(f));

function listTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

const plan = explicitFiles.length
  ? [{ suite: 'selected', files: explicitFiles }]
  : (wanted.length ? wanted : suites).map((suite) => ({
      suite,
      files: listTests(join(root, 'test', suite)),
    }));

if (plan.some((p) => p.suite === 'e2e' || p.suite === 'electron' || p.suite === 'selected')) {
  // The browser shell serves the built renderer and the e2e tests drive it.
  if (!process.env.NIGHTSHIFT_SKIP_BUILD) {
    console.log('Building the app (electron-vite build) for the e2e suites…');
    execFileSync(
      process.execPath,
      [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
  }
}

/**
 * The Electron suite needs a display where a binary exists: on Linux without one, run it on a
 * private Xvfb (installed by .ci/run) and end that server afterwards.
 */
function electronDisplay() {
  if (process.platform !== 'linux' || process.env.DISPLAY) return null;
  const pkg = join(root, 'node_modules', 'electron');
  const rel = existsSync(join(pkg, 'path.txt'))
    ? readFileSync(join(pkg, 'path.txt'), 'utf8').trim()
    : 'electron';
  const dists = [process.env.NIGHTSHIFT_ELECTRON_DIST, join(pkg, 'dist')].filter(Boolean);
  if (!dists.some((d) => existsSync(join(d, rel)))) return null;
  const display = `:${90 + (process.pid % 9)}`;
  try {
    const xvfb = spawn('Xvfb', [display, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
      stdio: 'ignore',
    });
    xvfb.on('error', () => undefined);
    return { display, xvfb };
  } catch {
    return null;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const { suite, files } of plan) {
  if (files.length === 0) continue;
  console.log(`\n── ${suite}: ${files.length} file(s) ──`);
  const concurrency = suite === 'unit' ? 2 : 1;
  const x = suite === 'electron' ? electronDisplay() : null;
  if (x) {
    process.env.DISPLAY = x.display;
    await new Promise((done) => setTimeout(done, 500));
  }
  const stream = run({ files, concurrency, timeout: 10 * 60_000, cwd: root });
  stream.on('test:pass', (e) => {
    if (e.details?.type === 'suite') return;
    if (e.skip || e.todo) skipped++;
    else passed++;
  });
  stream.on('test:fail', (e) => {
    if (e.details?.type === 'suite' && e.details?.error?.failureType !== 'testCodeFailure') return;
    failed++;
  });
  await new Promise((done) => {
    stream
      .compose(spec)
      .on('data', (chunk) => process.stdout.write(chunk))
      .on('end', done);
  });
  if (x) {
    x.xvfb.kill();
    delete process.env.DISPLAY;
  }
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 ? 1 : 0;
