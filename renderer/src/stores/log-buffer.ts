/**
 * The live log's data structure, kept free of React and the DOM so that it can be unit tested and
 * benchmarked from Node. A buffer is immutable: every operation returns a new one (zustand and
 * React compare by reference), and a batch of lines is applied in one step.
 */
import type { LogLine } from '../../../contract/index.ts';

/** Lines kept per project; older lines fall off the front. */
export const LOG_CAP = 5000;

export interface LogBuffer {
  readonly lines: readonly LogLine[];
  /** Agent ids seen in this buffer's lifetime, in the order they first appeared. */
  readonly agents: readonly string[];
  /** Highest `seq` seen, or -1. */
  readonly lastSeq: number;
  /** Lines dropped off the front because of the cap (for "older lines were dropped"). */
  readonly dropped: number;
  /** Whether the history was loaded with `agent.logs`. */
  readonly hydrated: boolean;
}

export const emptyLogBuffer: LogBuffer = Object.freeze({
  lines: Object.freeze([]) as readonly LogLine[],
  agents: Object.freeze([]) as readonly string[],
  lastSeq: -1,
  dropped: 0,
  hydrated: false,
});

function collectAgents(known: readonly string[], batch: readonly LogLine[]): readonly string[] {
  let out: string[] | null = null;
  for (const line of batch) {
    const agent = line.agent;
    if (agent === undefined || agent === '') continue;
    if ((out ?? known).includes(agent)) continue;
    out ??= known.slice();
    out.push(agent);
  }
  return out ?? known;
}

function maxSeq(start: number, batch: readonly LogLine[]): number {
  let max = start;
  for (const line of batch) if (line.seq > max) max = line.seq;
  return max;
}

/** Appends one batch (as delivered by one `agent.log` event), keeping at most `cap` lines. */
export function appendBatch(
  buffer: LogBuffer,
  batch: readonly LogLine[],
  cap: number = LOG_CAP,
): LogBuffer {
  if (batch.length === 0) return buffer;
  const total = buffer.lines.length + batch.length;
  let lines: readonly LogLine[];
  let dropped = buffer.dropped;
  if (total <= cap) {
    lines = buffer.lines.concat(batch);
  } else if (batch.length >= cap) {
    lines = batch.slice(batch.length - cap);
    dropped += buffer.lines.length + batch.length - cap;
  } else {
    const keepOld = cap - batch.length;
    lines = buffer.lines.slice(buffer.lines.length - keepOld).concat(batch);
    dropped += buffer.lines.length - keepOld;
  }
  return {
    lines,
    agents: collectAgents(buffer.agents, batch),
    lastSeq: maxSeq(buffer.lastSeq, batch),
    dropped,
    hydrated: buffer.hydrated,
  };
}

/**
 * Replaces the buffer with the history fetched by `agent.logs`, keeping the lines that arrived
 * by event while the fetch was in flight (those with a `seq` beyond the history's last one).
 */
export function hydrateBuffer(
  buffer: LogBuffer,
  history: readonly LogLine[],
  cap: number = LOG_CAP,
): LogBuffer {
  const historyMax = maxSeq(-1, history);
  const newer =
    history.length === 0 ? buffer.lines : buffer.lines.filter((l) => l.seq > historyMax);
  const base: LogBuffer = {
    lines: [],
    agents: collectAgents([], history),
    lastSeq: historyMax,
    dropped: 0,
    hydrated: true,
  };
  const withHistory = appendBatch(base, history, cap);
  const merged = appendBatch(withHistory, newer, cap);
  return { ...merged, agents: collectAgents(merged.agents, buffer.lines), hydrated: true };
}

/** The lines of one agent, or all lines when `agent` is null. */
export function filterByAgent(lines: readonly LogLine[], agent: string | null): readonly LogLine[] {
  if (agent === null) return lines;
  return lines.filter((l) => l.agent === agent);
}

/** Keeps one buffer per project; a plain object so it can live in a store or a benchmark. */
export type LogBuffers = Readonly<Record<string, LogBuffer>>;

export function appendToProject(
  buffers: LogBuffers,
  projectId: string,
  batch: readonly LogLine[],
  cap: number = LOG_CAP,
): LogBuffers {
  if (batch.length === 0) return buffers;
  const current = buffers[projectId] ?? emptyLogBuffer;
  return { ...buffers, [projectId]: appendBatch(current, batch, cap) };
}
