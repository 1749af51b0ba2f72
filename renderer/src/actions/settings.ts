/** Saving settings: the command, then the settings store (before the event arrives). */
import type { Result, SettingsUpdate, SettingsView } from '../../../contract/index.ts';
import { useApp } from '../stores/app.ts';
import { call } from './call.ts';

export async function saveSettings(update: SettingsUpdate): Promise<Result<SettingsView>> {
  const result = await call('settings.update', update);
  if (result.ok) useApp.setState({ settings: result.value });
  return result;
}
