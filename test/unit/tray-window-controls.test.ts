/** The pure parts of the window controls: bounds restore, the app menu, keep-awake, autostart. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scheduleStatus } from '../helpers/schedule-status.ts';
import {
  accelerators,
  appMenuTemplate,
  autostartDesktopEntry,
  type AppMenuItem,
} from '../../main/electron/app-menu-template.ts';
import { shouldKeepAwake } from '../../main/services/scheduler.ts';
import { restoreWindowState } from '../../main/electron/window-bounds.ts';

const defaults = { width: 1280, height: 820, minWidth: 860, minHeight: 520 };
const laptop = { x: 0, y: 0, width: 1440, height: 875 };
const rightMonitor = { x: 1440, y: 0, width: 2560, height: 1415 };

test('window bounds: restored when visible, re-centred when the monitor is gone, sizes clamped', () => {
  assert.deepEqual(restoreWindowState(null, [laptop], defaults), {
    width: 1280,
    height: 820,
    maximized: false,
  });
  assert.deepEqual(restoreWindowState('garbage', [laptop], defaults), {
    width: 1280,
    height: 820,
    maximized: false,
  });
  const onRight = { x: 2000, y: 100, width: 1600, height: 1000, maximized: true };
  assert.deepEqual(restoreWindowState(onRight, [laptop, rightMonitor], defaults), onRight);
  // The right monitor was unplugged: same size (clamped to the laptop), no position.
  assert.deepEqual(restoreWindowState(onRight, [laptop], defaults), {
    width: 1440,
    height: 875,
    maximized: true,
  });
  // Too small is raised to the minimum; a title bar just above the screen is not reachable.
  assert.deepEqual(
    restoreWindowState(
      { x: 10, y: -500, width: 100, height: 100, maximized: false },
      [laptop],
      defaults,
    ),
    {
      width: 860,
      height: 520,
      maximized: false,
    },
  );
  // Partly off the left edge but with the title bar reachable: kept.
  assert.deepEqual(
    restoreWindowState(
      { x: -700, y: 50, width: 900, height: 600, maximized: false },
      [laptop],
      defaults,
    ),
    {
      x: -700,
      y: 50,
      width: 900,
      height: 600,
      maximized: false,
    },
  );
  // Fractions and non-numbers.
  assert.deepEqual(
    restoreWindowState({ x: 'a', y: 1, width: 900.4, height: 600.6 }, [laptop], defaults),
    {
      width: 900,
      height: 601,
      maximized: false,
    },
  );
});

test('the app menu: roles for editing and windows, shortcuts for agents and projects, no duplicates', () => {
  const projects = Array.from({ length: 11 }, (_, i) => ({ id: `id${i}`, name: `p${i}` }));
  for (const platform of ['darwin', 'win32', 'linux']) {
    for (const dev of [true, false]) {
      const menu = appMenuTemplate({ platform, appName: 'Nightshift', dev, projects });
      const accs = accelerators(menu);
      assert.equal(
        new Set(accs).size,
        accs.length,
        `${platform}: an accelerator is used twice: ${accs.join(' ')}`,
      );
      const flat = (items: readonly AppMenuItem[]): AppMenuItem[] =>
        items.flatMap((i) => [i, ...flat(i.submenu ?? [])]);
      const all = flat(menu);
      for (const role of ['copy', 'paste', 'undo', 'selectAll', 'minimize']) {
        assert.ok(
          all.some((i) => i.role === role),
          `${platform}: has ${role}`,
        );
      }
      assert.equal(
        all.some((i) => i.role === 'toggleDevTools'),
        dev,
      );
      const byKind = (k: string) => all.find((i) => i.command?.kind === k);
      assert.equal(byKind('pause-all')?.accelerator, 'CmdOrCtrl+Shift+P');
      assert.equal(byKind('resume-all')?.accelerator, 'CmdOrCtrl+Shift+R');
      assert.equal(byKind('stop-all')?.accelerator, 'CmdOrCtrl+Shift+S');
      assert.ok(byKind('skip-next-all'));
      assert.ok(byKind('quit')?.accelerator?.endsWith('+Q'));
      const projectItems = all.filter((i) => i.command?.kind === 'open-project');
      assert.equal(projectItems.length, 11);
      assert.equal(projectItems[0]?.accelerator, 'CmdOrCtrl+1');
      assert.equal(projectItems[8]?.accelerator, 'CmdOrCtrl+9');
      assert.equal(projectItems[9]?.accelerator, undefined);
      assert.equal(menu[0]?.label === 'Nightshift', platform === 'darwin');
    }
  }
  const empty = appMenuTemplate({
    platform: 'linux',
    appName: 'Nightshift',
    dev: false,
    projects: [],
  });
  assert.ok(JSON.stringify(empty).includes('No projects yet'));
});

test('keep awake while a window is open (not skipped) or a drain is finishing', () => {
  const s = scheduleStatus;
  const w = { scheduleIds: ['1'], start: 0, end: 10 };
  assert.equal(shouldKeepAwake([]), false);
  assert.equal(shouldKeepAwake([s({ nextWindow: w })]), false);
  assert.equal(shouldKeepAwake([s({}), s({ activeWindow: w })]), true);
  assert.equal(shouldKeepAwake([s({ activeWindow: w, activeSkipped: true })]), false);
  assert.equal(shouldKeepAwake([s({ stopAt: 5 })]), true);
});

test('the Linux autostart entry starts Nightshift hidden and quotes paths', () => {
  const entry = autostartDesktopEntry('/opt/Night Shift/nightshift', ['--hidden']);
  assert.match(entry, /^\[Desktop Entry\]\n/);
  assert.match(entry, /\nExec="\/opt\/Night Shift\/nightshift" --hidden\n/);
  assert.match(entry, /\nType=Application\n/);
});
