/** `settings.*`: global settings (secrets stay in main) and the model list. */
import { ok } from '../../contract/index.ts';
import type { SettingsService } from '../services/settings-service.ts';
import type { AreaHandlers } from './handlers.ts';

export function settingsCommands(settings: SettingsService): AreaHandlers<'settings'> {
  return {
    'settings.get': () => ok(settings.view()),
    'settings.update': (input) => settings.update(input),
    'settings.models': () => ok(settings.models()),
  };
}
