/**
 * IPC router: one handler per contract command. Every call checks its sender (our main frame,
 * from our app origin) before the payload reaches the app's zod validation; every answer is a
 * serialisable Result. Events go to every window through one channel each.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent, type WebFrameMain } from 'electron';
import { commandChannel, commandNames, err, eventChannel } from '../../contract/index.ts';
import type { NightshiftApp } from '../app.ts';
import { APP_ORIGIN } from './protocol.ts';
import { isTrustedSender, type SenderFrame } from './trusted-sender.ts';

/** Our window's main frame, described for the pure check in trusted-sender.ts. */
function describeSender(
  frame: WebFrameMain | null,
  window: BrowserWindow | null,
): SenderFrame | null {
  if (!frame || !window || window.isDestroyed()) return null;
  return { url: frame.url, isMainFrame: frame === window.webContents.mainFrame };
}

export function installIpcRouter(
  app: NightshiftApp,
  getWindow: () => BrowserWindow | null,
): () => void {
  for (const name of commandNames) {
    ipcMain.handle(commandChannel(name), async (event: IpcMainInvokeEvent, input: unknown) => {
      if (!isTrustedSender(describeSender(event.senderFrame, getWindow()), APP_ORIGIN)) {
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
