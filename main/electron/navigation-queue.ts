/**
 * Navigations asked for while the window's page cannot hear them yet. A notification click or
 * the tray's "Open <project>" may create the window (the app was launched hidden at login, or
 * the window was closed): an `app.navigate` sent at once reaches a page that is still loading and
 * is lost. The shell tells this queue when a page starts and finishes loading; a navigation asked
 * for in between waits and is delivered when the page is ready (the latest one wins: the user
 * wants the project they clicked last). Pure, so it is tested without Electron.
 */
export type NavigationOutcome = 'delivered' | 'queued';

export class NavigationQueue {
  private ready = false;
  private pending: string | null = null;
  private readonly deliver: (projectId: string) => void;

  constructor(deliver: (projectId: string) => void) {
    this.deliver = deliver;
  }

  /** A page started loading (a new window, a reload, a crashed renderer): hold navigations. */
  loading(): void {
    this.ready = false;
  }

  /** The page finished loading and listens to events: deliver what waited. */
  loaded(): void {
    this.ready = true;
    const projectId = this.pending;
    this.pending = null;
    if (projectId !== null) this.deliver(projectId);
  }

  /** The window is gone; a navigation now waits for the next window's page. */
  closed(): void {
    this.ready = false;
  }

  navigate(projectId: string): NavigationOutcome {
    if (this.ready) {
      this.deliver(projectId);
      return 'delivered';
    }
    this.pending = projectId;
    return 'queued';
  }

  /** The project waiting for the page, if any. */
  waiting(): string | null {
    return this.pending;
  }
}
