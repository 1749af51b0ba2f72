import { useApp } from '../stores/app.ts';

/** Changes whenever Settings change (the sandbox status depends on "allow unsandboxed runs"). */
export function useSettingsLoaded(): string {
  return useApp((s) => String(s.settings?.allowUnsandboxedRuns ?? ''));
}
