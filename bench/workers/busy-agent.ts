/**
 * A busy agent for the UI-messages benchmark: five coding sessions that each report an activity
 * and a token count every few milliseconds (the shape of a run with parallel agents streaming
 * tool calls), plus a plain log line per activity. Runs until SIGTERM.
 *
 *   node bench/workers/busy-agent.ts   (BUSY_EVENTS_PER_SECOND, default 500)
 */
const perSecond = Number(process.env.BUSY_EVENTS_PER_SECOND ?? 500);
const write = (e: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ nsEvent: 1, ts: Date.now(), ...e })}\n`);
const usage = (n: number) => ({
  inputTokens: 1000 * n,
  outputTokens: 100 * n,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd: 0,
});

write({ type: 'run-state', phase: 'working', message: 'Busy.' });
const agents = [1, 2, 3, 4, 5].map((i) => `coding-${i}`);
agents.forEach((agentId, i) =>
  write({
    type: 'agent-started',
    agentId,
    role: 'coding',
    featureId: i + 1,
    featureName: `Feature ${i + 1}`,
  }),
);

let n = 0;
// Events come in ticks of 10 ms (or one per tick below 100/s), as output arrives in chunks.
const tickMs = Math.max(10, Math.round(1000 / perSecond));
const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
const timer = setInterval(() => {
  for (let k = 0; k < perTick; k++) {
    n++;
    const agentId = agents[n % agents.length] as string;
    if (n % 2 === 0) {
      write({ type: 'activity', agentId, kind: 'tool', summary: `Read src/file-${n}.ts` });
      process.stdout.write(`[${agentId}] tool call ${n}\n`);
    } else write({ type: 'cost', agentId, usage: usage(n), runTotal: usage(n * 5) });
  }
}, tickMs);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.exit(0);
});
