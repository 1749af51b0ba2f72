import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { formatLogTime } from '../lib/format.ts';
import { filterByAgent, LOG_CAP } from '../stores/log-buffer.ts';
import { selectBuffer, useLogs } from '../stores/logs.ts';
import { loadLogs } from '../stores/sync.ts';

const ROW_HEIGHT = 18;

/**
 * The live log of one project: virtualized, follows the tail until the user scrolls up, keeps the
 * last LOG_CAP lines.
 */
export function LogView(props: { projectId: string }): ReactNode {
  const { projectId } = props;
  const buffer = useLogs(selectBuffer(projectId));
  const [agent, setAgent] = useState<string | null>(null);
  const [follow, setFollow] = useState(true);
  const scrollRef = useRef<HTMLDivElement>(null);
  const filterId = useId();

  useEffect(() => {
    void loadLogs(projectId);
  }, [projectId]);

  const lines = useMemo(() => filterByAgent(buffer.lines, agent), [buffer.lines, agent]);

  // TanStack Virtual returns fresh functions each render; this component is not memoized.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });

  useEffect(() => {
    if (follow && lines.length > 0) virtualizer.scrollToIndex(lines.length - 1, { align: 'end' });
  }, [follow, lines, virtualizer]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 1.5;
    if (atBottom !== follow) setFollow(atBottom);
  };

  const items = virtualizer.getVirtualItems();
  return (
    <section className="log-view" aria-label="Live log">
      <div className="log-toolbar">
        <label htmlFor={filterId}>Show</label>
        <select
          id={filterId}
          value={agent ?? ''}
          onChange={(e) => setAgent(e.target.value === '' ? null : e.target.value)}
        >
          <option value="">All agents</option>
          {buffer.agents.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <span className="muted log-count" aria-live="off">
          {lines.length.toLocaleString()} line{lines.length === 1 ? '' : 's'}
          {buffer.dropped > 0 ? ` · last ${LOG_CAP.toLocaleString()} kept` : ''}
        </span>
        {!follow ? (
          <button
            type="button"
            className="button small"
            onClick={() => {
              setFollow(true);
              if (lines.length > 0) virtualizer.scrollToIndex(lines.length - 1, { align: 'end' });
            }}
          >
            Jump to latest
          </button>
        ) : null}
      </div>
      <div
        ref={scrollRef}
        className="log-scroll"
        role="log"
        aria-live="off"
        aria-label="Log lines"
        tabIndex={0}
        onScroll={onScroll}
      >
        {lines.length === 0 ? (
          <p className="log-empty">
            {buffer.hydrated
              ? agent
                ? `No lines from ${agent} yet.`
                : 'No output yet. Lines appear here as soon as the agent writes them.'
              : 'Loading the log…'}
          </p>
        ) : (
          <div className="log-inner" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const line = lines[item.index];
              if (!line) return null;
              return (
                <div
                  key={item.key}
                  className={line.level ? `log-line level-${line.level}` : 'log-line'}
                  style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                >
                  <span className="log-time">{formatLogTime(line.ts)}</span>
                  {line.agent ? <span className="log-agent">{line.agent}</span> : null}
                  {line.level === 'error' || line.level === 'warn' ? (
                    <span className="visually-hidden">{line.level}: </span>
                  ) : null}
                  <span className="log-text">{line.text}</span>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </section>
  );
}
