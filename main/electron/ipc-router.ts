/**
 * IPC router: one handler per contract command. Every call checks its sender (our main frame,
 * from our app origin) before the payload reaches the app's zod validation; every answer is a
 * serialisable Result. Events go to every window through one channel each.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent, type WebFrameMain } from 'electron';
import { commandChannel, commandNames, err, eventChannel } from '../../contract/index.ts';
import type { NightshiftApp } from '../app.ts';
import { APP_ORIGIN } from './protocol.ts';

export function isTrustedSender(frame: WebFrameMain | null, window: BrowserWindow | null): boolean {
  if (!frame || !window) return false;
  if (frame !== window.webContents.mainFrame) return false;
  try {
    return new URL(frame.url).origin === APP_ORIGIN;
  } catch {
    return false;
  }
}

export function installIpcRouter(
  app: NightshiftApp,
  getWindow: () => BrowserWindow | null,
): () => void {
  for (const name of commandNames) {
    ipcMain.handle(commandChannel(name), async (event: IpcMainInvokeEvent, input: unknown) => {
      if (!isTrustedSender(event.senderFrame, getWindow())) {
        app.diagnostics.log(
          'warn',
          `Refused IPC ${name} from an untrusted frame (${event.senderFrame?.url ?? 'unknown'}).`,
        );
        return err('forbidden', 'This request did not come from the Nightshift window.');
      }
      return app.dispatch(name, input);
    });
  }
  const unsubscribe = app.bus.onAny((event, payload) => {
    const win = getWindow();
    if (win && !win.isDestroyed()) win.webContents.send(eventChannel(event), payload);
  });
  return () => {
    unsubscribe();
    for (const name of commandNames) ipcMain.removeHandler(commandChannel(name));
  };
}
