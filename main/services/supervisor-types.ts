import type { LaunchMode } from '../../core/launch-protocol.ts';
import type {
  AgentEvent,
  AgentState,
  LogLine,
  Result,
  RunOrigin,
  RunOverrides,
  RunSettings,
} from '../../contract/index.ts';

export interface StartOptions {
  /** Run settings already resolved (request → schedule → project → global). */
  settings: RunSettings;
  origin: RunOrigin;
  /** `expand` runs only the queued expansions, then ends (default `run`). */
  mode?: LaunchMode;
}

/**
 * The per-project agent supervisor as the rest of main sees it (scheduler, tray, router).
 * One run per project; every action resolves to the state after it, or a sentence why not.
 */
export interface AgentControl {
  state(projectId: string): AgentState;
  states(): AgentState[];
  start(projectId: string, options: StartOptions): Promise<Result<AgentState>>;
  /** `reason`: the sentence the panel shows once it has stopped (default: stopped by hand). */
  stop(projectId: string, reason?: string): Promise<Result<AgentState>>;
  pause(projectId: string): Promise<Result<AgentState>>;
  resume(projectId: string): Promise<Result<AgentState>>;
  /** Asks the agent to finish current work and start nothing new; then it shows paused. */
  drain(projectId: string): Promise<Result<AgentState>>;
  onState(listener: (state: AgentState, previous: AgentState) => void): () => void;
  onAgentEvent(listener: (projectId: string, event: AgentEvent) => void): () => void;
  onLog(listener: (projectId: string, lines: LogLine[]) => void): () => void;
}

export type { RunOverrides };
