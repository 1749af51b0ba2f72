/**
 * The app's half of the stall watchdog: an agent that is alive but has reported no tool call,
 * text or token progress for the warning time turns amber (`agent.stalls`) and raises an inbox
 * item; any progress clears both. Ending a stalled session is the agent's half (it gets the
 * second threshold through NIGHTSHIFT_STALL_KILL_MIN; see agent/stall-watchdog.ts).
 */
import type { AgentEvent } from '../../../contract/index.ts';
import type { EventBus } from '../event-bus.ts';
import type { LedgerService } from './ledger-service.ts';

export interface StallMonitorDeps {
  bus: EventBus;
  ledger: Pick<LedgerService, 'raise' | 'resolve'>;
  now(): number;
  warnAfterMs(): number;
  projectName(id: string): string;
  runId(projectId: string): string | null;
}

export class StallMonitor {
  private readonly d: StallMonitorDeps;
  /** project → agent → last sign of life. */
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly stalled = new Map<string, Set<string>>();

  constructor(deps: StallMonitorDeps) {
    this.d = deps;
  }

  onEvent(projectId: string, event: AgentEvent): void {
    const agents = this.seen.get(projectId) ?? new Map<string, number>();
    this.seen.set(projectId, agents);
    if (event.type === 'agent-started' || event.type === 'activity' || event.type === 'cost')
      agents.set(event.agentId, this.d.now());
    else if (event.type === 'agent-finished') agents.delete(event.agentId);
    else return;
    const agentId = event.agentId;
    if (this.stalled.get(projectId)?.has(agentId)) {
      this.stalled.get(projectId)!.delete(agentId);
      this.publish(projectId);
    }
  }

  /** The run ended: nothing of it can stall any more. */
  clear(projectId: string): void {
    this.seen.delete(projectId);
    if (this.stalled.get(projectId)?.size) {
      this.stalled.get(projectId)!.clear();
      this.publish(projectId);
    }
  }

  /** Called on a timer: flags agents quiet for longer than the warning time. */
  check(): void {
    const now = this.d.now();
    const warn = this.d.warnAfterMs();
    for (const [projectId, agents] of this.seen) {
      const flagged = this.stalled.get(projectId) ?? new Set<string>();
      let changed = false;
      for (const [agentId, last] of agents) {
        if (now - last < warn || flagged.has(agentId)) continue;
        flagged.add(agentId);
        changed = true;
        const name = this.d.projectName(projectId);
        this.d.ledger.raise({
          kind: 'stalled',
          projectId,
          projectName: name,
          runId: this.d.runId(projectId),
          featureId: null,
          title: `${name}: ${agentId} has shown no progress for ${Math.round((now - last) / 60_000)} min`,
          body: 'It is alive but has made no tool call and used no tokens. If it stays quiet it will be ended as stalled and its feature retried.',
          at: now,
        });
      }
      this.stalled.set(projectId, flagged);
      if (changed) this.publish(projectId);
    }
  }

  private publish(projectId: string): void {
    const agentIds = [...(this.stalled.get(projectId) ?? [])];
    if (agentIds.length === 0) this.d.ledger.resolve(projectId, ['stalled']);
    this.d.bus.emit('agent.stalls', { projectId, agentIds });
  }
}
