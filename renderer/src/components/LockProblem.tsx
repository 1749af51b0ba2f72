import type { ReactNode } from 'react';
import type { AgentState } from '../../../contract/index.ts';
import { clearAgentLock } from '../actions/agent-lock.ts';
import { useAction } from '../lib/hooks.ts';
import { Outcome } from './fields.tsx';

/** A lock naming a process the OS does not confirm as the agent: why, and the way out. */
export function LockProblem(props: { state: AgentState }): ReactNode {
  const action = useAction();
  const problem = props.state.lockProblem;
  if (!problem && !action.outcome) return null;
  return (
    <div className="lock-problem" role="group" aria-label="Agent lock">
      {problem ? <p>{problem}</p> : null}
      {problem ? (
        <button
          type="button"
          className="button"
          disabled={action.pending !== null}
          onClick={() =>
            void action.run(
              'Clearing the lock…',
              () => clearAgentLock(props.state.projectId),
              (s) => s.message ?? 'The lock was cleared.',
            )
          }
        >
          Clear the lock
        </button>
      ) : null}
      <Outcome outcome={action.outcome} pending={action.pending} />
    </div>
  );
}
