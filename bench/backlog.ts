/**
 * Backlog views: board and list filtering over 10,000 features (goal < 50 ms), the search index
 * on a refresh that brought nothing new (kept, not rebuilt), the dependency graph's dagre layout
 * of 1,000 features (it runs in a Web Worker in the app, graph-layout.worker.ts, so this time
 * is how long the new layout takes to appear, not how long the window is blocked), and the cost
 * of one pan/zoom frame on that graph
 * (goal 60 fps, i.e. < 16 ms per transform update). Pan and zoom change only the `transform`
 * attribute of one <g>, so the frame figure is measured in real Chromium on an SVG holding the
 * 1,000 laid-out nodes and their edges, exactly the markup GraphView renders.
 */
import { availableParallelism, loadavg } from 'node:os';
import { chromium } from 'playwright-core';
import type { FeatureState, FeatureView } from '../contract/index.ts';
import {
  backlogIndexer,
  boardColumns,
  filterBacklog,
  groupByState,
  indexBacklog,
} from '../renderer/src/lib/backlog-filter.ts';
import {
  layoutBacklog,
  NODE_HEIGHT,
  NODE_WIDTH,
  transformStyle,
  zoomAt,
} from '../renderer/src/lib/backlog-graph.ts';
import { prng } from '../test/faults/fuzz.ts';

// Seeded, so every run measures the same data.
const rand = prng(7);
const words =
  'login session profile upload search export import billing invoice settings theme'.split(' ');
const categories = ['auth', 'ui', 'api', 'billing', 'search', 'admin', 'reports', 'infra'];

function features(n: number, maxDeps: number): FeatureView[] {
  return Array.from({ length: n }, (_, i) => {
    const id = i + 1;
    const deps = new Set<number>();
    const count = Math.floor(rand() * (maxDeps + 1));
    for (let k = 0; k < count && id > 1; k++) deps.add(1 + Math.floor(rand() * (id - 1)));
    const w = () => words[Math.floor(rand() * words.length)]!;
    return {
      id,
      priority: id,
      category: categories[id % categories.length]!,
      name: `${w()} ${w()} ${id}`,
      description: `As a user I can ${w()} and ${w()} from the ${w()} page.`,
      steps: ['Open the page', 'Do it', 'Check it'],
      dependencies: [...deps],
      state: boardColumns[Math.floor(rand() * boardColumns.length)]! as FeatureState,
      blockedReason: null,
      attempts: 0,
      lastError: null,
      humanInput: null,
    };
  });
}

function time(runs: number, fn: () => unknown): { median: number; max: number } {
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, max: ms[ms.length - 1]! };
}
const fmt = (t: { median: number; max: number }): string =>
  `median ${t.median.toFixed(2)} ms, max ${t.max.toFixed(2)} ms`;

console.log(
  `Node ${process.version}, ${availableParallelism()} CPU(s), load average ${loadavg()[0]!.toFixed(2)}`,
);

// ── board and list filtering, 10,000 features ───────────────────────────────────────────────
const big = features(10_000, 3);
const index = indexBacklog(big);
console.log(
  `index 10,000 features (on a changed backlog): ${fmt(time(9, () => indexBacklog(big)))}`,
);
const indexer = backlogIndexer();
indexer.index(big);
const refreshed = (): FeatureView[] => big.map((f) => ({ ...f }));
const copies = Array.from({ length: 9 }, refreshed);
let copy = 0;
const unchanged = time(9, () => indexer.index(copies[copy++]!));
console.log(
  `refresh of 10,000 unchanged features (index kept, ${indexer.rebuilds} build in all): ${fmt(unchanged)}`,
);
const cases = [
  {
    label: 'text "login upload"',
    filter: { text: 'login upload', states: null, categories: null },
  },
  {
    label: 'state pending + blocked',
    filter: { text: '', states: new Set<FeatureState>(['pending', 'blocked']), categories: null },
  },
  {
    label: 'category auth + text "session"',
    filter: { text: 'session', states: null, categories: new Set(['auth']) },
  },
  { label: 'id "#4321"', filter: { text: '#4321', states: null, categories: null } },
];
for (const c of cases) {
  let n = 0;
  const t = time(21, () => (n = filterBacklog(index, c.filter).length));
  console.log(`list filter, ${c.label} → ${n} rows: ${fmt(t)} (goal < 50 ms)`);
}
const board = time(21, () =>
  groupByState(filterBacklog(index, { text: 'page', states: null, categories: null })),
);
console.log(`board (filter "page" + group into 7 columns): ${fmt(board)} (goal < 50 ms)`);

// ── graph layout, 1,000 features ────────────────────────────────────────────────────────────
const thousand = features(1_000, 2);
const edgeCount = thousand.reduce((n, f) => n + f.dependencies.length, 0);
let layout = layoutBacklog(thousand);
const layoutTime = time(3, () => (layout = layoutBacklog(thousand)));
console.log(
  `dagre layout of 1,000 features and ${edgeCount} edges: ${fmt(layoutTime)} (in a Web Worker, once per change of the graph's shape, not per frame)`,
);
let t = { x: 0, y: 0, scale: 1 };
const jsUpdate = time(1001, () => {
  t = zoomAt(t, 1.01, 400, 300);
  return transformStyle(t);
});
console.log(
  `transform computation per pan/zoom update (JS only): ${(jsUpdate.median * 1000).toFixed(1)} µs`,
);

// ── pan/zoom frame in Chromium ──────────────────────────────────────────────────────────────
const svg = [
  `<svg id="s" width="1200" height="800" xmlns="http://www.w3.org/2000/svg"><g id="v">`,
  ...layout.edges.map((e) => `<path d="${e.d}" fill="none" stroke="#888"/>`),
  ...layout.nodes.map(
    (n) =>
      `<g transform="translate(${n.x} ${n.y})"><rect width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="6" fill="#223" stroke="#99a"/><text x="8" y="18" fill="#fff" font-size="12">#${n.feature.id} ${n.feature.name}</text><text x="8" y="34" fill="#aaa" font-size="11">${n.feature.category}</text></g>`,
  ),
  '</g></svg>',
].join('');
const browser = await chromium.launch({
  executablePath: process.env.NIGHTSHIFT_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  // GraphView's markup: the SVG inside a viewport div; pan/zoom sets one CSS transform on the
  // SVG's wrapper (composited: the 1,000 nodes are neither re-rendered by React nor re-laid out).
  await page.setContent(
    `<!doctype html><body style="margin:0;background:#111"><div style="width:1200px;height:800px;overflow:hidden;position:relative"><div id="w" style="transform-origin:0 0;will-change:transform;position:absolute">${svg}</div></div></body>`,
  );
  const result = await page.evaluate(async () => {
    const w = document.getElementById('w')!;
    const work: number[] = [];
    const intervals: number[] = [];
    let x = 0;
    let scale = 0.5;
    let last = 0;
    for (let frame = 0; frame < 240; frame++) {
      await new Promise<number>((r) =>
        requestAnimationFrame((ts) => {
          if (last) intervals.push(ts - last);
          last = ts;
          const t0 = performance.now();
          x -= 4;
          scale *= frame % 120 < 60 ? 1.01 : 0.99;
          w.style.transform = `translate(${x}px, 0px) scale(${scale})`;
          work.push(performance.now() - t0);
          r(ts);
        }),
      );
    }
    const sorted = (a: number[]) => [...a].sort((p, q) => p - q);
    const wk = sorted(work);
    const f = sorted(intervals);
    return {
      workMedian: wk[Math.floor(wk.length / 2)]!,
      frameMedian: f[Math.floor(f.length / 2)]!,
      frameP95: f[Math.floor(f.length * 0.95)]!,
    };
  });
  console.log(
    `Chromium, 1,000 nodes: script per pan/zoom update median ${result.workMedian.toFixed(3)} ms (goal < 16 ms)`,
  );
  console.log(
    `Chromium, 1,000 nodes: frame interval while panning and zooming median ${result.frameMedian.toFixed(1)} ms, p95 ${result.frameP95.toFixed(1)} ms (60 fps = 16.7 ms)`,
  );
} finally {
  await browser.close();
}
