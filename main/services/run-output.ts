/**
 * The output pipeline of agent runs, per project: every line is redacted, typed events become
 * readable lines, a ring keeps the last `ringSize` lines for late viewers, and listeners get
 * new lines in batches (one flush per `flushMs`, never one message per line).
 *
 * Invariants: sequence numbers of a project's lines are consecutive; listeners and the ring
 * see the same lines in the same order; nothing reaches either unredacted.
 */
import { type AgentEvent, type LogLine, parseAgentEventLine } from '../../contract/index.ts';
import type { RunLogRecord } from '../../core/run-log.ts';
import { redact } from '../../core/redact.ts';
import type { Clock, TimerHandle } from './clock.ts';

export interface RunOutputOptions {
  clock: Clock;
  /** Secret values to scrub beyond the pattern rules (read at every line: they may change). */
  secrets(): string[];
  ringSize: number;
  flushMs: number;
}

interface Channel {
  ring: LogLine[];
  seq: number;
  pending: LogLine[];
  timer: TimerHandle | null;
}

type LogListener = (projectId: string, lines: LogLine[]) => void;

/** The agent prefixes lines from one of its sessions with "[coding-2] " and the like. */
const agentTag = /^\[((?:initializer|coding|regression)-\d+)\] /;

export class RunOutput {
  private readonly channels = new Map<string, Channel>();
  private readonly listeners = new Set<LogListener>();
  private readonly o: RunOutputOptions;

  constructor(options: RunOutputOptions) {
    this.o = options;
  }

  onLog(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  logs(projectId: string, limit = this.o.ringSize): LogLine[] {
    const ring = this.channel(projectId).ring;
    return ring.slice(Math.max(0, ring.length - limit));
  }

  /** The last `count` line texts (for a crash report). */
  lastTexts(projectId: string, count: number): string[] {
    return this.channel(projectId)
      .ring.slice(-count)
      .map((l) => l.text);
  }

  redact(raw: string): string {
    return redact(raw, this.o.secrets());
  }

  /** Shows a typed event as a line, if it has a readable form. */
  pushEvent(projectId: string, event: AgentEvent, ts: number): void {
    const text = describeEvent(event);
    if (text) this.push(projectId, { ts, ...text });
  }

  /** Shows a plain (already redacted) output line, tagged with its session when it has one. */
  pushText(projectId: string, line: string, ts: number): void {
    const tagged = agentTag.exec(line);
    this.push(projectId, tagged ? { text: line, ts, agent: tagged[1] } : { text: line, ts });
  }

  /** A line of Nightshift's own about the run. */
  pushNotice(projectId: string, text: string, ts: number): void {
    this.push(projectId, { text, ts, level: 'warn' });
  }

  /**
   * Rebuilds the ring from run-log records (an adopted run), without telling listeners: they
   * ask for the ring. Returns the typed events among them, oldest first.
   */
  replay(projectId: string, records: RunLogRecord[]): AgentEvent[] {
    const ch = this.channel(projectId);
    const events: AgentEvent[] = [];
    for (const record of records) {
      const event = parseAgentEventLine(record.line);
      if (event) {
        events.push(event);
        const text = describeEvent(event);
        if (text) ch.ring.push(withoutUndefined({ seq: ++ch.seq, ts: record.ts, ...text }));
        continue;
      }
      ch.ring.push({ seq: ++ch.seq, ts: record.ts, text: record.line });
    }
    if (ch.ring.length > this.o.ringSize) ch.ring.splice(0, ch.ring.length - this.o.ringSize);
    return events;
  }

  /** A new run: its view starts empty (sequence numbers go on). */
  reset(projectId: string): void {
    const ch = this.channel(projectId);
    ch.ring = [];
    ch.pending = [];
  }

  /** Delivers pending lines now. */
  flush(projectId: string): void {
    const ch = this.channel(projectId);
    ch.timer?.cancel();
    ch.timer = null;
    if (ch.pending.length === 0) return;
    const lines = ch.pending;
    ch.pending = [];
    for (const l of this.listeners) l(projectId, lines);
  }

  forget(projectId: string): void {
    this.channels.get(projectId)?.timer?.cancel();
    this.channels.delete(projectId);
  }

  /** Cancels every pending flush (the app quits). */
  dispose(): void {
    for (const ch of this.channels.values()) {
      ch.timer?.cancel();
      ch.timer = null;
    }
  }

  private push(projectId: string, line: Omit<LogLine, 'seq'>): void {
    const ch = this.channel(projectId);
    const entry = withoutUndefined({ seq: ++ch.seq, ...line });
    ch.ring.push(entry);
    // Trimmed in steps, not per line: splice is linear in the ring's size.
    if (ch.ring.length > this.o.ringSize + 512) ch.ring.splice(0, ch.ring.length - this.o.ringSize);
    ch.pending.push(entry);
    ch.timer ??= this.o.clock.setTimer(this.o.flushMs, () => this.flush(projectId));
  }

  private channel(projectId: string): Channel {
    let ch = this.channels.get(projectId);
    if (!ch) {
      ch = { ring: [], seq: 0, pending: [], timer: null };
      this.channels.set(projectId, ch);
    }
    return ch;
  }
}

function withoutUndefined(line: LogLine): LogLine {
  if (line.agent === undefined) delete line.agent;
  if (line.level === undefined) delete line.level;
  return line;
}

/** Human lines for the log view from typed events (the raw JSON stays in the run log). */
export function describeEvent(
  event: AgentEvent,
): { text: string; agent?: string; level?: LogLine['level'] } | null {
  switch (event.type) {
    case 'run-state':
      return { text: event.message };
    case 'agent-started':
      return {
        agent: event.agentId,
        text: `${event.agentId} started (${event.role}${event.featureId !== null ? `, feature #${event.featureId}${event.featureName ? ` ${event.featureName}` : ''}` : ''})`,
      };
    case 'agent-finished':
      return {
        agent: event.agentId,
        text: `${event.agentId} finished: ${event.outcome}. ${event.message}`,
        level: event.outcome === 'error' ? 'error' : undefined,
      };
    case 'activity':
      return { agent: event.agentId, text: event.summary };
    case 'rate-limit':
      return { text: event.message, level: 'warn' };
    case 'human-input':
      return {
        text: `Feature #${event.featureId} ${event.featureName} needs your input: ${event.prompt}`,
        level: 'warn',
      };
    case 'error':
      return { text: event.message, agent: event.agentId ?? undefined, level: 'error' };
    default:
      return null;
  }
}
