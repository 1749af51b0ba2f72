/**
 * Does an agent have any way to authenticate with the model provider? Checked before Start locks
 * or spawns anything, so a first run without a key is a sentence and a button, not a "crash".
 * Sources, in the order the README recommends them: an API key or auth token stored in Settings;
 * ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN, or Bedrock / Vertex chosen, in the environment; Claude
 * Code's own sign-in (its credentials file, or on macOS its keychain entry, which Claude Code
 * records in ~/.claude.json as `oauthAccount`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CredentialInputs {
  /** The environment the agent will get (inherited, plus what Settings adds). */
  env: Record<string, string | undefined>;
  /** A key or token is stored in Secrets. */
  storedSecret: boolean;
  home: string;
  platform: NodeJS.Platform;
}

export type CredentialSource =
  'stored-key' | 'env-key' | 'bedrock' | 'vertex' | 'claude-sign-in' | null;

const set = (v: string | undefined): boolean => typeof v === 'string' && v.trim() !== '';
const on = (v: string | undefined): boolean => set(v) && !/^(0|false|no|off)$/i.test(v!.trim());

export function findCredentials(input: CredentialInputs): CredentialSource {
  const { env } = input;
  if (input.storedSecret) return 'stored-key';
  if (
    set(env.ANTHROPIC_API_KEY) ||
    set(env.ANTHROPIC_AUTH_TOKEN) ||
    set(env.CLAUDE_CODE_OAUTH_TOKEN)
  )
    return 'env-key';
  if (on(env.CLAUDE_CODE_USE_BEDROCK)) return 'bedrock';
  if (on(env.CLAUDE_CODE_USE_VERTEX)) return 'vertex';
  const configDir = set(env.CLAUDE_CONFIG_DIR)
    ? env.CLAUDE_CONFIG_DIR!
    : join(input.home, '.claude');
  if (existsSync(join(configDir, '.credentials.json'))) return 'claude-sign-in';
  if (input.platform === 'darwin') {
    try {
      const state = JSON.parse(readFileSync(join(input.home, '.claude.json'), 'utf8')) as {
        oauthAccount?: unknown;
      };
      if (state.oauthAccount) return 'claude-sign-in';
    } catch {
      // no sign-in recorded
    }
  }
  return null;
}
