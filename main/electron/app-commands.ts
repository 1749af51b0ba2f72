/**
 * The commands the tray and the application menu both offer: every project's agent at once,
 * opening the window (on a project or not) and quitting. What each one does lives here only;
 * agent commands go through the app's own command dispatch, so they are validated exactly as
 * the UI's are.
 */
export type AllProjectsAction =
  'pause-all' | 'resume-all' | 'stop-all' | 'skip-next-all' | 'unskip-next-all';

export type AppCommand =
  | { kind: AllProjectsAction }
  | { kind: 'open-project'; projectId: string }
  | { kind: 'open' }
  | { kind: 'quit' };

export interface AppCommandDeps {
  dispatch(command: string, input: unknown): Promise<unknown>;
  /** Shows the window, on the project when one is given. */
  openApp(projectId?: string): void;
  quit(): void;
}

const commandOf: Record<AllProjectsAction, { command: string; input: unknown }> = {
  'pause-all': { command: 'agent.pauseAll', input: undefined },
  'resume-all': { command: 'agent.resumeAll', input: undefined },
  'stop-all': { command: 'agent.stopAll', input: undefined },
  'skip-next-all': { command: 'schedules.skipNext', input: { skip: true } },
  'unskip-next-all': { command: 'schedules.skipNext', input: { skip: false } },
};

export async function runAppCommand(c: AppCommand, deps: AppCommandDeps): Promise<void> {
  switch (c.kind) {
    case 'open-project':
      deps.openApp(c.projectId);
      return;
    case 'open':
      deps.openApp();
      return;
    case 'quit':
      deps.quit();
      return;
    default: {
      const { command, input } = commandOf[c.kind];
      await deps.dispatch(command, input);
    }
  }
}
