/**
 * The IPC sender check, kept free of `electron` so it can be unit tested from plain Node: a
 * command is accepted only from the main frame of our window showing our app origin.
 *
 * The origin is compared by scheme and host, not with `URL.origin`: for a custom scheme such as
 * `app:` Node's URL reports the origin as the string "null", so an origin comparison would
 * refuse every real sender (or, compared against "null", accept any custom-scheme page).
 */
export interface SenderFrame {
  url: string;
  /** The frame is the top-level frame of the Nightshift window (not an iframe or another window). */
  isMainFrame: boolean;
}

export function isTrustedSender(sender: SenderFrame | null, appOrigin: string): boolean {
  if (!sender || !sender.isMainFrame) return false;
  let url: URL;
  let expected: URL;
  try {
    url = new URL(sender.url);
    expected = new URL(appOrigin);
  } catch {
    return false;
  }
  return (
    url.protocol === expected.protocol &&
    url.host === expected.host &&
    url.username === '' &&
    url.password === ''
  );
}
