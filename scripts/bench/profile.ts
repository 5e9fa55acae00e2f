/**
 * Summarises a V8 CPU profile (.cpuprofile, as `node --cpu-prof` or the inspector's Profiler.stop writes it) into
 * the functions with the most self time, each mapped back through the bundle's source map to its TypeScript
 * file:line (node:module SourceMap, no dependency).
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
  /** Ticks per source line (1-based lines of the script) of this node's self time. */
  readonly positionTicks?: readonly { readonly line: number; readonly ticks: number }[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface Hotspot {
  readonly functionName: string;
  /** `lambda/classify/rules.ts:57` (original source), or the bundle position / a V8 pseudo-frame. */
  readonly location: string;
  readonly selfMs: number;
  readonly selfShare: number;
}

export interface HotLine {
  readonly location: string;
  readonly functionName: string;
  readonly ms: number;
  readonly share: number;
}

/**
 * Top functions by self time, and the hottest source lines (V8's line ticks: with inlining, the lines of an inlined
 * callee are counted under its caller, so the lines show where time goes inside the functions V8 merged).
 * Only the samples from the first to the last one with `within` on the stack count (GC in between included), so
 * the profiler's own start and stop are left out. `bundle` and `map` name the bundle that ran and its source map.
 */
export function hotspots(
  profile: CpuProfile,
  options: { bundle: string; map: string; root: string; within: string; top?: number },
): { totalMs: number; hotspots: Hotspot[]; hotLines: HotLine[] } {
  const sourceMap = new SourceMap(JSON.parse(readFileSync(options.map, 'utf8')));
  const bundleLines = readFileSync(options.bundle, 'utf8').split('\n');
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inside = new Map<number, boolean>();
  const isInside = (id: number): boolean => {
    const known = inside.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const up = parent.get(id);
    const value = node?.callFrame.functionName === options.within || (up !== undefined && isInside(up));
    inside.set(id, value);
    return value;
  };
  let first = -1;
  let last = -1;
  profile.samples.forEach((id, i) => {
    if (isInside(id)) {
      if (first < 0) first = i;
      last = i;
    }
  });
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time from sample i-1 to sample i; attribute each delta to the sample it ends at.
  for (let i = Math.max(0, first); i <= last; i++) {
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const grouped = new Map<string, { functionName: string; location: string; us: number }>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    const location = locate(frame, frame.lineNumber, frame.columnNumber, sourceMap, options);
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    const key = `${name}@${location}`;
    const entry = grouped.get(key) ?? { functionName: name, location, us: 0 };
    entry.us += us;
    grouped.set(key, entry);
  }
  const list: Hotspot[] = [...grouped.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, options.top ?? 15)
    .map((e) => ({ functionName: e.functionName, location: e.location, selfMs: e.us / 1000, selfShare: e.us / total }));

  // Line ticks: each node's ticks share out its self time.
  const lines = new Map<string, { location: string; us: number; byFunction: Map<string, number> }>();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id);
    const ticks = node.positionTicks;
    if (us === undefined || ticks === undefined || ticks.length === 0) continue;
    const totalTicks = ticks.reduce((a, t) => a + t.ticks, 0);
    const name = node.callFrame.functionName === '' ? '(anonymous)' : node.callFrame.functionName;
    for (const t of ticks) {
      // A line's first statement (after the indentation) names the source line.
      const indent = /^\s*/.exec(bundleLines[t.line - 1] ?? '')?.[0].length ?? 0;
      const location = locate(node.callFrame, t.line - 1, indent, sourceMap, options);
      const entry = lines.get(location) ?? { location, us: 0, byFunction: new Map<string, number>() };
      const share = (us * t.ticks) / totalTicks;
      entry.us += share;
      entry.byFunction.set(name, (entry.byFunction.get(name) ?? 0) + share);
      lines.set(location, entry);
    }
  }
  const hotLines: HotLine[] = [...lines.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, options.top ?? 15)
    .map((e) => ({
      location: e.location,
      // The function the line's time was mostly counted under (the one it was inlined into, if it was).
      functionName: [...e.byFunction].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '(unknown)',
      ms: e.us / 1000,
      share: e.us / total,
    }));
  return { totalMs: total / 1000, hotspots: list, hotLines };
}

function locate(
  frame: CallFrame,
  line: number,
  column: number,
  sourceMap: SourceMap,
  options: { bundle: string; root: string },
): string {
  if (frame.url === '') return '(V8 / native)';
  const url = frame.url.startsWith('file:') ? fileURLToPath(frame.url) : frame.url;
  if (url !== options.bundle)
    return frame.url.startsWith('node:') ? frame.url : `${relative(options.root, url)}:${line + 1}`;
  const entry = sourceMap.findEntry(line, column) as { originalSource?: string; originalLine?: number };
  if (entry.originalSource === undefined || entry.originalLine === undefined)
    return `${relative(options.root, url)}:${line + 1}`;
  const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : entry.originalSource;
  const file = source.startsWith('/') ? relative(options.root, source) : source.replace(/^(?:\.\.\/)+/, '');
  return `${file}:${entry.originalLine + 1}`;
}
