/**
 * Secret redaction for everything that leaves an agent: live log lines, run log files, crash
 * excerpts. Patterns cover provider keys and `name=value` / `name: value` credentials; the value
 * is replaced, the name kept so the line still reads.
 */
const REDACTED = '[REDACTED]';

const tokenPatterns: RegExp[] = [
  /\bsk-ant-[A-Za-z0-9_-]{10,}/g, // Anthropic keys
  /\bsk-[A-Za-z0-9_-]{20,}/g, // OpenAI-style keys
  /\bgh[posru]_[A-Za-z0-9]{30,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{30,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API key
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, // JWTs
];

// NAME=value, NAME: value, "name": "value": the name must END in a secret word (GITHUB_TOKEN,
// apiKey, DB_PASSWORD), so metrics such as `tokens=12`, `max_tokens=4096` or `token_count: 5`
// are not mistaken for credentials.
const assignment =
  /(\b[A-Za-z0-9_.-]*?(?:api[_-]?key|auth[_-]?token|access[_-]?token|refresh[_-]?token|access[_-]?key(?:[_-]?id)?|secret(?:[_-]?key)?|passw(?:or)?d|pwd|token|credentials?|private[_-]?key)"?\s*[:=]\s*"?)([^\s"',;]+)/gi;
// A real bearer or basic credential has digits or punctuation; prose ("Bearer authentication",
// "Basic setup") has neither, and must be left alone.
const bearer = /(\bBearer\s+)((?=[A-Za-z0-9._~+/=-]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{8,})/g;
const basic = /(\bBasic\s+)((?=[A-Za-z0-9+/]*[0-9+/])[A-Za-z0-9+/]{8,}={0,2})/g;
const urlPassword = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi;
const cliFlag = /(--(?:password|token|api-key|secret)[= ])(\S+)/gi;

/**
 * Every rule below needs one of these fragments; most output lines have none, so one scan
 * spares them the dozen full rules (this is the hot path of the log pipeline).
 */
const mightHoldSecret =
  /key|token|secret|passw|pwd|credential|bearer|basic|sk-|gh[posru]_|github_pat|xox|akia|aiza|eyj|@/i;

export function redact(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of extraSecrets) {
    if (secret.length >= 6 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  if (!mightHoldSecret.test(out)) return out;
  for (const p of tokenPatterns) out = out.replace(p, REDACTED);
  out = out.replace(urlPassword, `$1${REDACTED}$3`);
  out = out.replace(bearer, `$1${REDACTED}`);
  out = out.replace(basic, `$1${REDACTED}`);
  out = out.replace(cliFlag, `$1${REDACTED}`);
  out = out.replace(assignment, (match: string, name: string, value: string) =>
    value === REDACTED || value.startsWith('[REDACTED') ? match : `${name}${REDACTED}`,
  );
  return out;
}

/**
 * Shows that a secret is set without showing it: "••••wxyz". Only the last 4 characters, and
 * only for secrets of 12 or more, so a hint never gives away a meaningful share of a short one.
 */
export function secretHint(secret: string): string {
  if (secret.length < 12) return '••••';
  return `••••${secret.slice(-4)}`;
}
