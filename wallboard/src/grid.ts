// Agent grid sizing: how many columns/rows and what font size make N agent
// tiles fill a W×H area without scrolling, from 5 agents (big tiles) to 300
// (small ones). Pure arithmetic; the DOM applies the result as CSS variables.
//
// Tiles show less as they shrink:
//   full    3 lines: name / state (or pause reason) / time in state + tier
//   compact 2 lines: name / time in state + tier (state by colour only)
//   mini    1 line:  name + time, colour carries the state
// The richest mode whose font stays legible wins.

type GridMode = 'full' | 'compact' | 'mini';

export interface GridInput {
  count: number;
  width: number;
  height: number;
  /** Gap between tiles, px. */
  gap: number;
  /**
   * Size unit in px (1 % of the width of the largest 16:9 box in the window:
   * 19.2 px at 1920×1080). Font limits scale with it, so a 4K TV and a
   * 1366×768 screen get the same layout.
   */
  unit: number;
}

export interface GridLayout {
  cols: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
  fontPx: number;
  mode: GridMode;
}

interface ModeSpec {
  mode: GridMode;
  /** Tile height in ems needed for its lines plus padding. */
  heightEm: number;
  /** Tile width in ems needed for a typical name. */
  widthEm: number;
  /** Smallest font (in units) at which this mode is still worth it. */
  minFontUnits: number;
}

const MODES: readonly ModeSpec[] = [
  { mode: 'full', heightEm: 4.3, widthEm: 8.5, minFontUnits: 0.9 },
  { mode: 'compact', heightEm: 2.9, widthEm: 7.5, minFontUnits: 0.62 },
  { mode: 'mini', heightEm: 1.5, widthEm: 6.5, minFontUnits: 0 },
];

/** Largest agent font, in units: five agents get big tiles, not billboard letters. */
const MAX_FONT_UNITS = 2.1;
/** Floor in px: below this text is noise even on a monitor. */
export const MIN_FONT_PX = 8;

function bestFor(spec: ModeSpec, input: GridInput): GridLayout {
  const { count, width, height, gap, unit } = input;
  const maxFont = MAX_FONT_UNITS * unit;
  let best: GridLayout | null = null;
  let bestEmpty = Infinity;
  for (let cols = 1; cols <= count; cols++) {
    const rows = Math.ceil(count / cols);
    // Skip column counts that leave a whole empty row: a smaller count fits the same rows.
    if (cols > 1 && Math.ceil(count / (cols - 1)) === rows) continue;
    const tileWidth = (width - gap * (cols - 1)) / cols;
    const tileHeight = (height - gap * (rows - 1)) / rows;
    if (tileWidth <= 0 || tileHeight <= 0) continue;
    const font = Math.min(tileHeight / spec.heightEm, tileWidth / spec.widthEm, maxFont);
    const empty = cols * rows - count;
    if (best == null || font > best.fontPx + 0.01 || (Math.abs(font - best.fontPx) <= 0.01 && empty < bestEmpty)) {
      best = { cols, rows, tileWidth, tileHeight, fontPx: font, mode: spec.mode };
      bestEmpty = empty;
    }
  }
  return best ?? { cols: 1, rows: 1, tileWidth: 0, tileHeight: 0, fontPx: 0, mode: spec.mode };
}

export function gridLayout(input: GridInput): GridLayout {
  const count = Math.max(0, Math.floor(input.count));
  if (count === 0 || input.width <= 0 || input.height <= 0) {
    return { cols: 1, rows: 1, tileWidth: Math.max(0, input.width), tileHeight: Math.max(0, input.height), fontPx: MAX_FONT_UNITS * input.unit, mode: 'full' };
  }
  const fitted = { ...input, count };
  let last: GridLayout | null = null;
  for (const spec of MODES) {
    const layout = bestFor(spec, fitted);
    last = layout;
    if (layout.fontPx >= spec.minFontUnits * input.unit) return round(layout);
  }
  return round(last!);
}

function round(l: GridLayout): GridLayout {
  return {
    ...l,
    tileWidth: Math.floor(l.tileWidth * 10) / 10,
    tileHeight: Math.floor(l.tileHeight * 10) / 10,
    fontPx: Math.max(MIN_FONT_PX, Math.floor(l.fontPx * 10) / 10),
  };
}
