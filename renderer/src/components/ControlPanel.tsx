import { useState, type ReactNode } from 'react';
import {
  availableActions,
  exitDescription,
  isActiveStatus,
  resolveRunSettings,
  statusLabel,
  stoppedAgentState,
  defaultSettings,
  type AgentAction,
  type AgentState,
  type Project,
  type Result,
  type RunSettings,
} from '../../../contract/index.ts';
import { CredentialsButton } from './ContainmentPanel.tsx';
import { drainAgent, pauseAgent, resumeAgent, startAgent, stopAgent } from '../actions/agent.ts';
import { errorAt } from '../lib/field-errors.ts';
import { formatClock, formatElapsed, originLabel } from '../lib/format.ts';
import { useAction, useDraft, useNow } from '../lib/hooks.ts';
import { useApp } from '../stores/app.ts';
import { useProjects } from '../stores/projects.ts';
import { Outcome, RunSettingsFields } from './fields.tsx';
import { LockProblem } from './LockProblem.tsx';

function StatusBadge(props: { state: AgentState }): ReactNode {
  const { state } = props;
  return (
    <span className={`badge status-${state.status}`} data-testid="status-badge">
      <span className="status-dot" aria-hidden="true" />
      <span>{statusLabel(state)}</span>
    </span>
  );
}

function RunningSince(props: { state: AgentState }): ReactNode {
  const { state } = props;
  const live = state.startedAt !== null && isActiveStatus(state.status);
  const now = useNow(1000, live);
  if (!live || state.startedAt === null) return null;
  const started = Date.parse(state.startedAt);
  const origin = originLabel(state.origin, state.adopted);
  return (
    <p className="run-meta">
      {origin ? <span>{origin}</span> : null}
      <span>
        since <time dateTime={state.startedAt}>{formatClock(started)}</time> (
        {formatElapsed(now - started)})
      </span>
      {state.pid !== null ? <span className="muted">pid {state.pid}</span> : null}
      {state.settings ? (
        <span className="muted">
          {state.settings.model} · {state.settings.codingAgents} coding ·{' '}
          {state.settings.regressionAgents} regression · YOLO {state.settings.yolo ? 'on' : 'off'}
        </span>
      ) : null}
    </p>
  );
}

function CrashDetails(props: { state: AgentState }): ReactNode {
  const exit = props.state.exit;
  if (props.state.status !== 'crashed' || !exit) return null;
  return (
    <div className="crash" role="group" aria-label="How the agent ended">
      <p>
        The agent process ended unexpectedly ({exitDescription(exit)}) at{' '}
        <time dateTime={exit.at}>{formatClock(exit.at)}</time>. Read its last lines below, then
        press Start to run it again.
      </p>
      {exit.lastLines.length > 0 ? (
        <pre className="last-lines" aria-label="Last lines before the crash">
          {exit.lastLines.join('\n')}
        </pre>
      ) : (
        <p className="muted">It printed nothing before it ended.</p>
      )}
    </div>
  );
}

/** The agent's buttons in order: what each says, and the sentences while and after it acts. */
const agentButtons: readonly {
  action: AgentAction;
  label: string;
  tone: '' | 'primary' | 'danger';
  pending: string;
  done: string;
}[] = [
  {
    action: 'start',
    label: 'Start',
    tone: 'primary',
    pending: 'Starting…',
    done: 'Start requested.',
  },
  { action: 'pause', label: 'Pause', tone: '', pending: 'Pausing…', done: 'Paused.' },
  {
    action: 'drain',
    label: 'Pause after current work',
    tone: '',
    pending: 'Asking the agent to finish current work…',
    done: 'Finishing current work.',
  },
  { action: 'resume', label: 'Resume', tone: '', pending: 'Resuming…', done: 'Resumed.' },
  { action: 'stop', label: 'Stop', tone: 'danger', pending: 'Stopping…', done: 'Stopped.' },
];

/** The commands behind the buttons other than Start (which also sends the run settings). */
const agentCommands: Record<
  Exclude<AgentAction, 'start'>,
  (projectId: string) => Promise<Result<AgentState>>
> = { pause: pauseAgent, drain: drainAgent, resume: resumeAgent, stop: stopAgent };

export function ControlPanel(props: { project: Project }): ReactNode {
  const { project } = props;
  const state = useProjects((s) => s.agents[project.id]) ?? stoppedAgentState(project.id);
  const defaults = useApp((s) => s.settings?.defaults) ?? defaultSettings.defaults;
  const models = useApp((s) => s.models);
  // When the project's overrides or the global defaults change, start from them again.
  const [runSettings, setRunSettings] = useDraft<RunSettings>(
    resolveRunSettings(defaults, project.overrides),
  );
  const action = useAction();
  const can = availableActions(state);
  // "Agent started (pid …)" must not stand next to a crash that came after it.
  const { clear } = action;
  const [seenStatus, setSeenStatus] = useState(state.status);
  if (seenStatus !== state.status) {
    // Adjusting state while rendering (React's pattern for "reset when a prop changes").
    setSeenStatus(state.status);
    if (state.status === 'crashed' && action.outcome?.kind === 'ok') clear();
  }
  const busy = action.pending !== null;

  const act = (label: string, fallback: string, fn: () => Promise<Result<AgentState>>) => {
    void action.run(label, fn, (s) => s.message ?? fallback);
  };

  const pauseHintId = `pause-hint-${project.id}`;

  return (
    <section className="panel control-panel" aria-label="Agent control">
      <div className="control-row">
        <div className="status-block">
          <StatusBadge state={state} />
          {state.message && state.message !== action.outcome?.message ? (
            <p className="status-message">{state.message}</p>
          ) : null}
          <CredentialsButton message={action.outcome?.message ?? state.message} />
        </div>
        <div className="buttons" role="group" aria-label="Agent actions">
          {agentButtons.map((b) => (
            <button
              key={b.action}
              type="button"
              className={`button ${b.tone}`.trim()}
              disabled={
                !can[b.action] ||
                busy ||
                (b.action === 'start' && project.folderProblem !== undefined)
              }
              aria-describedby={b.action === 'pause' && !state.canFreeze ? pauseHintId : undefined}
              onClick={() =>
                act(b.pending, b.done, () =>
                  b.action === 'start'
                    ? startAgent(project.id, runSettings)
                    : agentCommands[b.action](project.id),
                )
              }
            >
              {b.label}
            </button>
          ))}
        </div>
      </div>
      {project.folderProblem ? (
        <p className="banner error" role="alert" data-testid="folder-problem">
          {project.folderProblem}
        </p>
      ) : null}
      {!state.canFreeze ? (
        <p id={pauseHintId} className="field-hint">
          This system cannot freeze a running process tree, so Pause is not available; use Pause
          after current work instead.
        </p>
      ) : null}
      <Outcome outcome={action.outcome} pending={action.pending} />
      <RunningSince state={state} />
      <CrashDetails state={state} />
      <LockProblem state={state} />
      {/* The values for the next start, prefilled from project overrides, then global defaults. */}
      <fieldset className="run-settings" disabled={!can.start || busy}>
        <legend>Run settings for the next start</legend>
        <RunSettingsFields
          value={runSettings}
          onChange={setRunSettings}
          models={models}
          errorAt={(field) => errorAt(action.outcome, `overrides.${field}`)}
        />
      </fieldset>
    </section>
  );
}
