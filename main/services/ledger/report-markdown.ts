/** The night report as Markdown, for export: the same facts as the History view shows. */
import type { NightReport } from '../../../contract/index.ts';
import { formatUsd } from './queries.ts';

const when = (t: number | null): string => (t === null ? '—' : new Date(t).toLocaleString('en-GB'));

const minutes = (ms: number): string =>
  ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${Math.round(ms / 60_000)} min`;

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function reportMarkdown(r: NightReport): string {
  const run = r.run;
  const lines: string[] = [
    `# ${cell(r.headline)}`,
    '',
    `- Run: \`${run.runId}\``,
    `- Started: ${when(run.startedAt)} (${run.origin === 'schedule' ? 'by a schedule' : run.origin === 'manual' ? 'by hand' : 'origin unknown'})`,
    `- Ended: ${when(run.endedAt)}${run.endReason ? ` — ${run.endReason}` : ''}`,
    ...(run.endMessage ? [`- Why it ended: ${cell(run.endMessage)}`] : []),
    ...(run.settings ? [`- Model: ${run.settings.model}`] : []),
    `- Cost: ${formatUsd(run.costUsd)}`,
    '',
  ];
  const section = (title: string, items: { id: number; name: string }[]) => {
    lines.push(`## ${title} (${items.length})`, '');
    if (items.length === 0) lines.push('None.');
    for (const f of items) lines.push(`- #${f.id} ${cell(f.name)}`);
    lines.push('');
  };
  section('Passed', r.passed);
  section('Failed', r.failed);
  section('Set aside', r.setAside);
  section('Needs your input', r.needsInput);
  lines.push(
    '## By role',
    '',
    '| Role | Sessions | Time | Input tokens | Output tokens | Cache tokens | Cost |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const t of r.byRole)
    lines.push(
      `| ${t.role} | ${t.sessions} | ${minutes(t.durationMs)} | ${t.inputTokens} | ${t.outputTokens} | ${t.cacheReadTokens + t.cacheWriteTokens} | ${formatUsd(t.costUsd)} |`,
    );
  lines.push('');
  return lines.join('\n');
}
