import { describe, expect, it } from 'vitest';
import { gridLayout, MIN_FONT_PX, type GridInput, type GridLayout } from '../../wallboard/src/grid.ts';

// Agent panel sizes measured on the built page (bottom-right panel).
const HD = { width: 804, height: 522, unit: 19.2 }; // 1920×1080, up to 120 agents
const HD_MANY = { width: 936, height: 522, unit: 19.2 }; // 1920×1080, wider panel for big teams
const SMALL = { width: 572, height: 371, unit: 13.66 }; // 1366×768
const UHD = { width: 1608, height: 1044, unit: 38.4 }; // 3840×2160

const layout = (count: number, area: { width: number; height: number; unit: number }): GridLayout =>
  gridLayout({ count, gap: Math.max(2, area.unit * 0.25), ...area });

function expectFits(l: GridLayout, input: GridInput): void {
  expect(l.cols * l.rows).toBeGreaterThanOrEqual(input.count);
  expect(l.cols * l.tileWidth + (l.cols - 1) * input.gap).toBeLessThanOrEqual(input.width + 0.5);
  expect(l.rows * l.tileHeight + (l.rows - 1) * input.gap).toBeLessThanOrEqual(input.height + 0.5);
  // No wasted whole row: the last row holds at least one agent.
  expect(l.cols * (l.rows - 1)).toBeLessThan(input.count);
}

describe('agent grid sizing', () => {
  it.each([1, 5, 12, 40, 80, 120, 200, 300])('%i agents fit the 1920×1080 panel without scrolling', (n) => {
    const area = n > 120 ? HD_MANY : HD;
    const input = { count: n, gap: area.unit * 0.25, ...area };
    expectFits(gridLayout(input), input);
  });

  it('300 agents in 1920×1080 stay readable as a grid: font ≥ 10 px', () => {
    const l = layout(300, HD_MANY);
    expect(l.fontPx).toBeGreaterThanOrEqual(10);
    expect(l.mode).toBe('mini');
    expect(l.tileWidth).toBeGreaterThan(50);
  });

  it('300 agents also fit 1366×768 at the minimum font', () => {
    const area = { ...SMALL, width: 666 }; // many-agents panel width at 1366
    const input = { count: 300, gap: Math.max(2, area.unit * 0.25), ...area };
    const l = gridLayout(input);
    expectFits(l, input);
    expect(l.fontPx).toBeGreaterThanOrEqual(MIN_FONT_PX);
  });

  it('5 agents get big tiles with every detail', () => {
    const l = layout(5, HD);
    expect(l.mode).toBe('full');
    expect(l.fontPx).toBeGreaterThanOrEqual(30);
    expect(l.tileWidth).toBeGreaterThanOrEqual(250);
    expect(l.tileHeight).toBeGreaterThanOrEqual(130);
  });

  it('shows less per tile as the team grows (full → compact → mini)', () => {
    expect(layout(12, HD).mode).toBe('full');
    expect(layout(60, HD).mode).toBe('compact');
    expect(layout(300, HD_MANY).mode).toBe('mini');
  });

  it('adding an agent never enlarges the tiles, except when they drop a line of detail', () => {
    const rank = { full: 2, compact: 1, mini: 0 } as const;
    let prev = layout(1, HD);
    for (let n = 2; n <= 300; n++) {
      const l = layout(n, HD);
      expect(rank[l.mode], `${n} agents: mode`).toBeLessThanOrEqual(rank[prev.mode]);
      if (l.mode === prev.mode) expect(l.fontPx, `${n} agents: font`).toBeLessThanOrEqual(prev.fontPx + 1e-9);
      prev = l;
    }
  });

  it('scales with the screen: a 4K TV gets the same grid at twice the font', () => {
    for (const n of [8, 40, 150]) {
      const hd = layout(n, HD);
      const uhd = layout(n, UHD);
      expect([uhd.cols, uhd.rows, uhd.mode]).toEqual([hd.cols, hd.rows, hd.mode]);
      expect(uhd.fontPx / hd.fontPx).toBeCloseTo(2, 1);
    }
  });

  it('caps the font for tiny teams so one agent is not a billboard', () => {
    expect(layout(1, HD).fontPx).toBeLessThanOrEqual(2.1 * HD.unit);
  });

  it('handles an empty team and a collapsed panel', () => {
    expect(layout(0, HD)).toMatchObject({ cols: 1, rows: 1 });
    const collapsed = gridLayout({ count: 10, width: 0, height: 0, gap: 4, unit: 19.2 });
    expect(collapsed.cols).toBe(1);
  });
});
