/**
 * Maps the specifier 'electron' to the recording stand-in (./index.ts) for every importer,
 * electron-store included, so main/electron/ loads unchanged in plain Node. Import this first,
 * then load main/electron modules with a dynamic import(): static imports are resolved before
 * any module runs, so they would miss the hook.
 */
import { registerHooks } from 'node:module';

const standin = new URL('./index.ts', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'electron') return { url: standin, shortCircuit: true };
    return nextResolve(specifier, context);
  },
});
