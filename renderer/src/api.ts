/**
 * The one way the renderer reaches main: `window.nightshift`, provided by the Electron preload or,
 * in the browser shell, created here over a WebSocket.
 */
import type { NightshiftApi } from '../../contract/index.ts';
import { createWsClient, type WsClient } from './transport/ws-client.ts';

declare global {
  interface Window {
    nightshift?: NightshiftApi;
  }
}

let api: NightshiftApi | null = null;
let wsClient: WsClient | null = null;

/** Called once at startup: the preload's bridge if there is one, else a WebSocket client. */
export function initApi(): NightshiftApi {
  if (api) return api;
  if (window.nightshift) {
    api = window.nightshift;
  } else {
    wsClient = createWsClient();
    api = wsClient;
  }
  return api;
}

export function getApi(): NightshiftApi {
  if (!api) throw new Error('The Nightshift API is used before initApi() ran.');
  return api;
}

/** The WebSocket client in the browser shell; null under Electron. */
export function getWsClient(): WsClient | null {
  return wsClient;
}
