import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact, secretHint } from '../../core/redact.ts';

const cases: [string, string][] = [
  ['key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123', 'sk-ant-api03'],
  ['ANTHROPIC_API_KEY=sk-live-1234567890abcdefghijkl', '1234567890abcdef'],
  ['export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_abcdef'],
  ['Authorization: Bearer abc.def-ghi_jklmnop', 'abc.def-ghi'],
  ['password: hunter2hunter2', 'hunter2'],
  ['{"apiKey": "AKIAIOSFODNN7EXAMPLE"}', 'AKIAIOSFODNN7EXAMPLE'],
  ['postgres://admin:s3cretpass@db:5432/app', 's3cretpass'],
  ['mysql --password=topsecret1', 'topsecret1'],
  [
    'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'eyJzdWIi',
  ],
];

for (const [input, secret] of cases) {
  test(`redacts ${secret.slice(0, 12)}…`, () => {
    const out = redact(input);
    assert.ok(!out.includes(secret), `${input} → ${out}`);
    assert.match(out, /\[REDACTED\]/);
  });
}

test('leaves ordinary output alone', () => {
  const lines = [
    'Compiled 42 files in 1.3s',
    'GET /api/users 200 12ms',
    'token count: 1532',
    'tokens=12 is a metric',
  ];
  assert.equal(redact(lines[0] as string), lines[0]);
  assert.equal(redact(lines[1] as string), lines[1]);
});

test('redacts explicit secret values and shows hints without the secret', () => {
  assert.equal(
    redact('using my-custom-secret-value here', ['my-custom-secret-value']),
    'using [REDACTED] here',
  );
  const hint = secretHint('sk-ant-0123456789abcdef');
  assert.equal(hint, 'sk-a…cdef');
  assert.equal(secretHint('short'), '••••');
});
