/**
 * The provider section of the settings page: an Anthropic-compatible base URL and the Claude
 * executable (the credentials have their own write-only section).
 */
import type { ReactNode } from 'react';
import type { SettingsView } from '../../../contract/index.ts';
import { errorAt } from '../lib/field-errors.ts';
import { useDraft } from '../lib/hooks.ts';
import { TextField } from './fields.tsx';
import { Section, sectionOutcome, useSave } from './SettingsSection.tsx';

export function ProviderSection(props: { settings: SettingsView }): ReactNode {
  const { settings } = props;
  const [value, setValue, dirty] = useDraft({
    baseUrl: settings.provider.baseUrl,
    claudeExecutablePath: settings.claudeExecutablePath,
  });
  const s = useSave();
  return (
    <Section
      title="Provider and Claude"
      description="Leave the base URL empty for Anthropic. Set it for an Anthropic-compatible provider (Ollama, GLM, a gateway)."
      dirty={dirty}
      pending={s.pending}
      outcome={sectionOutcome(s.outcome, ['provider', 'claudeExecutablePath'])}
      onSubmit={() =>
        void s.save(
          {
            provider: { baseUrl: value.baseUrl.trim() },
            claudeExecutablePath: value.claudeExecutablePath.trim(),
          },
          'Provider settings saved. They apply to the next start.',
        )
      }
    >
      <div className="settings-grid">
        <TextField
          label="Provider base URL"
          type="url"
          value={value.baseUrl}
          placeholder="https://api.anthropic.com (default)"
          onChange={(baseUrl) => setValue({ ...value, baseUrl })}
          error={errorAt(s.outcome, 'provider')}
          hint="For example http://localhost:11434 for Ollama."
        />
        <TextField
          label="Claude executable"
          value={value.claudeExecutablePath}
          placeholder="/usr/local/bin/claude"
          onChange={(claudeExecutablePath) => setValue({ ...value, claudeExecutablePath })}
          error={errorAt(s.outcome, 'claudeExecutablePath')}
          hint="Leave empty to use the one bundled with Nightshift."
        />
      </div>
    </Section>
  );
}
