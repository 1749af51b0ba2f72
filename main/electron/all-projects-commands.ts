/**
 * The commands for every project at once, offered by both the tray and the application menu:
 * which app command each one runs lives here only. They go through the app's own command
 * dispatch, so they are validated exactly as the UI's are.
 */
export type AllProjectsAction =
  'pause-all' | 'resume-all' | 'stop-all' | 'skip-next-all' | 'unskip-next-all';

const commandOf: Record<AllProjectsAction, { command: string; input: unknown }> = {
  'pause-all': { command: 'agent.pauseAll', input: undefined },
  'resume-all': { command: 'agent.resumeAll', input: undefined },
  'stop-all': { command: 'agent.stopAll', input: undefined },
  'skip-next-all': { command: 'schedules.skipNext', input: { skip: true } },
  'unskip-next-all': { command: 'schedules.skipNext', input: { skip: false } },
};

export function isAllProjectsAction(kind: string): kind is AllProjectsAction {
  return Object.hasOwn(commandOf, kind);
}

export function dispatchAllProjects(
  action: AllProjectsAction,
  dispatch: (command: string, input: unknown) => Promise<unknown>,
): Promise<unknown> {
  const { command, input } = commandOf[action];
  return dispatch(command, input);
}
