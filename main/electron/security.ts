/**
 * Electron's security checklist, applied once to every web contents: no navigation away from
 * the app, no new windows, no permission grants, and external links only to allowlisted https
 * hosts, opened in the user's browser.
 */
import { app, session, shell } from 'electron';
import { APP_ORIGIN } from './protocol.ts';

const externalAllowlist = new Set([
  'docs.anthropic.com',
  'github.com',
  'www.anthropic.com',
  'console.anthropic.com',
]);

export function isAllowedExternal(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && externalAllowlist.has(u.hostname);
  } catch {
    return false;
  }
}

export function installSecurityRules(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternal(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
  app.whenReady().then(
    () => {
      session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
        callback(false),
      );
      session.defaultSession.setPermissionCheckHandler(() => false);
    },
    () => undefined,
  );
}
