/**
 * Windows has no process groups or SIGSTOP: stopping a tree means `taskkill /T /F`, which
 * tree-kill runs for us. tree-kill spawns its helper without an error handler and ignores the
 * signal on Windows, so it is wrapped here and never called bare.
 */
import treeKill from 'tree-kill';

export function killTreeWindows(pid: number): Promise<void> {
  return new Promise((resolve) => {
    try {
      treeKill(pid, 'SIGKILL', () => resolve());
    } catch {
      resolve();
    }
  });
}
