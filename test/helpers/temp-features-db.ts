/**
 * A real features.db in a temporary folder, filled with a numbered backlog: the start of the
 * tests where several processes work on one database file at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeaturesDb, type NewFeature } from '../../core/features-db.ts';

/** `count` plain features named F1, F2, …; `more(i)` adds to the i-th (from 0), e.g. dependencies. */
export function numberedFeatures(
  count: number,
  more: (i: number) => Partial<NewFeature> = () => ({}),
): NewFeature[] {
  return Array.from({ length: count }, (_, i) => ({
    category: 'c',
    name: `F${i + 1}`,
    description: 'd',
    steps: ['s'],
    ...more(i),
  }));
}

/** A new features.db holding `features` (closed again); `remove` deletes its folder. */
export function tempFeaturesDb(
  prefix: string,
  features: NewFeature[],
): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, 'features.db');
  const db = FeaturesDb.open(path);
  try {
    db.createBulk(features);
  } finally {
    db.close();
  }
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
