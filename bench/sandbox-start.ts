/**
 * Session start with and without the OS sandbox, side by side: the real Claude Agent SDK and the
 * bundled Claude Code against the local fake Anthropic server, whose scripted model runs one Bash
 * command (`true`) and ends. Per run it measures the whole session (spawn to result), the time to
 * the first model request (Claude Code's start-up), and the Bash call (from the reply that asked
 * for it to the request that carries its result: where the sandbox's start cost shows).
 * Runs alternate between the two modes so machine load affects both alike. Prints medians.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { callTool, startFakeAnthropic, text } from '../test/fixtures/fake-anthropic-server.ts';
import { runSession } from '../agent/session.ts';
import { sessionEnvFrom } from '../agent/env-allowlist.ts';
import { sandboxSettingsFor } from '../agent/containment.ts';
import { defaultRunContainment } from '../contract/containment.ts';
import { probeSandbox } from '../core/sandbox-probe.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 4);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

async function main(): Promise<void> {
  const probe = probeSandbox();
  if (!probe.available) {
    console.log(`The OS sandbox cannot start here (${probe.reason}); nothing to compare.`);
    return;
  }
  let marks: { firstRequest: number | null; askedBash: number | null; bashResult: number | null };
  const fake = await startFakeAnthropic((request) => {
    const now = performance.now();
    const step = request.messages.filter((m) => m.role === 'assistant').length;
    marks.firstRequest ??= now;
    if (step === 0) {
      marks.askedBash = now;
      return callTool('Bash', { command: 'true', description: 'bench' });
    }
    marks.bashResult ??= now;
    return text('Done.');
  });
  const root = mkdtempSync(join(tmpdir(), 'ns-bench-sandbox-'));
  const home = join(root, 'home');
  const project = join(root, 'project');
  const tmp = join(root, 'tmp');
  for (const d of [home, project, tmp]) mkdirSync(d, { recursive: true });
  const env = sessionEnvFrom({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    TMPDIR: tmp,
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: 'sk-ant-bench-dummy',
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  });
  const sandbox = sandboxSettingsFor({
    projectDir: project,
    home,
    tmpDir: tmp,
    providerHost: '127.0.0.1',
    cloudProvider: null,
    containment: defaultRunContainment(),
  });
  const figures = {
    on: { total: [] as number[], startup: [] as number[], bash: [] as number[] },
    off: { total: [] as number[], startup: [] as number[], bash: [] as number[] },
  };
  try {
    for (let i = 0; i < RUNS * 2; i++) {
      const mode = i % 2 === 0 ? 'off' : 'on';
      marks = { firstRequest: null, askedBash: null, bashResult: null };
      const started = performance.now();
      const result = await runSession({
        role: 'coding',
        prompt: 'Run true.',
        systemAppend: '',
        model: 'claude-sonnet-4-5',
        cwd: project,
        mcpServers: {},
        allowedTools: ['Bash'],
        builtinTools: ['Bash'],
        env,
        containment: {
          sandbox: mode === 'on' ? sandbox : null,
          trustProjectSettings: false,
          home,
          tmpDir: tmp,
          pathVar: env.PATH ?? '',
        },
        claudePath: null,
        maxTurns: 5,
        timeoutMs: 120_000,
        signal: new AbortController().signal,
        onActivity: () => undefined,
      });
      const total = performance.now() - started;
      if (result.end !== 'completed') {
        console.log(`run ${i + 1} (sandbox ${mode}) did not complete: ${result.message}`);
        continue;
      }
      figures[mode].total.push(total);
      figures[mode].startup.push((marks.firstRequest ?? started) - started);
      figures[mode].bash.push((marks.bashResult ?? 0) - (marks.askedBash ?? 0));
    }
  } finally {
    await fake.close();
    rmSync(root, { recursive: true, force: true });
  }
  const row = (label: string, key: 'total' | 'startup' | 'bash'): string =>
    `${label.padEnd(34)} ${median(figures.off[key]).toFixed(0).padStart(8)} ms ${median(figures.on[key]).toFixed(0).padStart(10)} ms ${(median(figures.on[key]) - median(figures.off[key])).toFixed(0).padStart(8)} ms`;
  console.log(
    `Session start with and without the OS sandbox (median of ${figures.off.total.length} / ${figures.on.total.length} runs; load average ${loadavg()[0]!.toFixed(1)})`,
  );
  console.log(
    `${''.padEnd(34)} ${'sandbox off'.padStart(11)} ${'sandbox on'.padStart(13)} ${'difference'.padStart(11)}`,
  );
  console.log(row('whole session (spawn to result)', 'total'));
  console.log(row('Claude Code start to first request', 'startup'));
  console.log(row('one Bash call (true)', 'bash'));
}

await main();
