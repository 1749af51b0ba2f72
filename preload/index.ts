/**
 * The preload bridge: one method per contract command and an `on` that returns an
 * unsubscribe. No generic invoke and no raw ipcRenderer reach the page. Bundled to one CJS file
 * because sandboxed preloads cannot load ES modules or npm packages.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  type CommandFns,
  type EventName,
  type NightshiftApi,
  commandChannel,
  commandNames,
  eventChannel,
  eventNames,
} from '../contract/api.ts';

const call = Object.fromEntries(
  commandNames.map((name) => [
    name,
    (input?: unknown) => ipcRenderer.invoke(commandChannel(name), input),
  ]),
) as unknown as CommandFns;

const api: NightshiftApi = {
  call,
  on(event, handler) {
    if (!eventNames.includes(event as EventName)) throw new Error(`Unknown event ${String(event)}`);
    const channel = eventChannel(event);
    const listener = (_e: IpcRendererEvent, payload: unknown) => handler(payload as never);
    ipcRenderer.on(channel, listener);
    return () => {
      ipcRenderer.removeListener(channel, listener);
    };
  },
};

contextBridge.exposeInMainWorld('nightshift', api);
