import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact, secretHint } from '../../core/redact.ts';

/** [line, the secret part that must not survive] */
const cases: [string, string][] = [
  ['key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123', 'sk-ant-api03'],
  ['ANTHROPIC_API_KEY=sk-live-1234567890abcdefghijkl', '1234567890abcdef'],
  ['ANTHROPIC_AUTH_TOKEN=proxy-tok-98765', 'proxy-tok-98765'],
  ['export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_abcdef'],
  ['pushed with ghp_abcdefghijklmnopqrstuvwxyz0123456789 just now', 'ghp_abcdef'],
  ['Authorization: Bearer abc.def-ghi_jklmnop', 'abc.def-ghi'],
  ['Authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA'],
  ['token=abc123def456', 'abc123def456'],
  ['{"token": "tk_live_778899"}', 'tk_live_778899'],
  ['api_key: abcd1234efgh', 'abcd1234efgh'],
  ['password=hunter22', 'hunter22'],
  ['password: hunter2hunter2', 'hunter2'],
  ['DB_PASSWORD="correct horse"', 'correct'],
  ['client_secret=s3cr3t-value', 's3cr3t-value'],
  ['{"apiKey": "AKIAIOSFODNN7EXAMPLE"}', 'AKIAIOSFODNN7EXAMPLE'],
  ['postgres://admin:s3cretpass@db:5432/app', 's3cretpass'],
  ['mysql --password=topsecret1', 'topsecret1'],
  ['login --token tk-0099887766', 'tk-0099887766'],
  [
    'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'eyJzdWIi',
  ],
];

for (const [input, secret] of cases) {
  test(`redacts ${input.slice(0, 24)}…`, () => {
    const out = redact(input);
    assert.ok(!out.includes(secret), `${input} → ${out}`);
    assert.match(out, /\[REDACTED\]/);
  });
}

test('keeps the name of a credential so the line still reads', () => {
  assert.equal(redact('ANTHROPIC_AUTH_TOKEN=proxy-tok-98765'), 'ANTHROPIC_AUTH_TOKEN=[REDACTED]');
  assert.equal(redact('password=hunter22 ok'), 'password=[REDACTED] ok');
});

test('leaves ordinary prose and metrics alone', () => {
  const lines = [
    'Compiled 42 files in 1.3s',
    'GET /api/users 200 12ms',
    'token count: 1532',
    'tokens=12 is a metric',
    'max_tokens=4096 input_tokens: 1200, output_tokens: 300',
    'token_count=88',
    'Basic setup complete in 3 steps',
    'Bearer authentication is configured for the API',
    'Wrote the password reset page and its tests',
    'the keyboard shortcut is ctrl-k; see keys.md',
    'mail me at dev@example.com',
  ];
  for (const line of lines) assert.equal(redact(line), line, `changed: ${line}`);
});

test('redacts explicit secret values', () => {
  assert.equal(
    redact('using my-custom-secret-value here', ['my-custom-secret-value']),
    'using [REDACTED] here',
  );
});

test('a secret hint shows at most the last 4 characters, and nothing of a short secret', () => {
  assert.equal(secretHint('sk-ant-0123456789abcdef'), '••••cdef');
  assert.equal(secretHint('abcdefghijkl'), '••••ijkl');
  for (const short of ['short', 'nine-char', 'sixteen-chars'.slice(0, 11)]) {
    assert.equal(secretHint(short), '••••', short);
  }
  for (const s of ['0123456789ab', '0123456789abcdef', 'sk-ant-api03-abcdefghijklmnop']) {
    const visible = secretHint(s).replace(/•/g, '');
    assert.ok(visible.length <= 4, `${s} → ${secretHint(s)}`);
    assert.ok(s.endsWith(visible));
  }
});
