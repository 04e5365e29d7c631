// The two uPlot charts: last hour (NS line + calls waiting) and today's
// intervals (NS bars coloured by band, target line). Thin: data comes
// ready-made from series.ts; this file only owns the uPlot instances and
// their sizing.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { serviceLevelBand, type Band } from './colours.ts';
import { hhmm } from './format.ts';
import type { Dict } from './i18n.ts';
import type { HourData, IntervalData } from './series.ts';

const C = {
  axis: '#9ca3af',
  grid: 'rgba(255,255,255,0.07)',
  sl: '#e5e7eb',
  waiting: '#38bdf8',
  target: '#f8fafc',
  band: { green: '#22c55e', amber: '#f59e0b', red: '#ef4444', none: '#4b5563' } as Record<Band, string>,
};

const timeValues = (_u: uPlot, splits: number[]): string[] => splits.map((s) => hhmm(s * 1000));
const pctValues = (_u: uPlot, splits: number[]): string[] => splits.map((s) => `${Math.round(s)}`);

function axisFont(unit: number): string {
  return `${Math.max(10, Math.round(unit * 0.72))}px system-ui, "Liberation Sans", "DejaVu Sans", sans-serif`;
}

interface Box { el: HTMLElement; empty: HTMLElement }

export class Charts {
  private hour: uPlot | null = null;
  private today: uPlot | null = null;
  private unit = 0;
  private hourData: HourData = { x: [], sl: [], waiting: [] };
  private todayData: IntervalData = { x: [], sl: [], target: [], offered: [], widthSeconds: 900 };
  private target = 0.8;
  private amberFrom = 0.7;
  private readonly observer: ResizeObserver;

  constructor(private readonly hourBox: Box, private readonly todayBox: Box, private readonly t: Dict) {
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(hourBox.el);
    this.observer.observe(todayBox.el);
  }

  update(hour: HourData, today: IntervalData, target: number, amberFrom: number): void {
    this.hourData = hour;
    this.todayData = today;
    const bandsChanged = target !== this.target || amberFrom !== this.amberFrom;
    this.target = target;
    this.amberFrom = amberFrom;
    if (!this.hour || !this.today || bandsChanged) {
      this.rebuild();
      return;
    }
    this.hour.setData(this.hourAligned());
    this.today.setData(this.todayAligned());
    this.toggleEmpty();
  }

  /** Called on window resize: new sizes, and new fonts if the scale changed. */
  resize(): void {
    const unit = currentUnit();
    if (Math.abs(unit - this.unit) / Math.max(1, this.unit) > 0.08) {
      this.rebuild();
      return;
    }
    this.hour?.setSize(sizeOf(this.hourBox.el));
    this.today?.setSize(sizeOf(this.todayBox.el));
  }

  private toggleEmpty(): void {
    this.hourBox.empty.hidden = this.hourData.x.length > 0;
    this.todayBox.empty.hidden = this.todayData.x.length > 0;
  }

  private hourAligned(): uPlot.AlignedData {
    const d = this.hourData;
    return [d.x, d.sl, d.waiting, d.x.map(() => this.target * 100)];
  }

  private todayAligned(): uPlot.AlignedData {
    const d = this.todayData;
    return [d.x, d.sl, d.target];
  }

  private rebuild(): void {
    this.hour?.destroy();
    this.today?.destroy();
    this.unit = currentUnit();
    const font = axisFont(this.unit);
    const gap = Math.round(this.unit * 0.3);
    const axisSize = Math.round(this.unit * 2.6);
    const common = (values: uPlot.Axis['values'], scale?: string, side?: 0 | 1 | 2 | 3): uPlot.Axis => {
      const axis: uPlot.Axis = {
        stroke: C.axis,
        font,
        gap,
        size: axisSize,
        values,
        grid: { stroke: C.grid, width: 1 },
        ticks: { stroke: C.grid, width: 1, size: gap },
      };
      // uPlot merges options with Object.assign: an explicit undefined would wipe its defaults.
      if (scale !== undefined) axis.scale = scale;
      if (side !== undefined) axis.side = side;
      // Minimum px between ticks grows with the font, so a 4K TV doesn't cram labels.
      axis.space = side === undefined ? this.unit * 4.5 : this.unit * 1.6;
      return axis;
    };

    const base = {
      legend: { show: false },
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      padding: [Math.round(this.unit * 0.6), gap, 0, 0] as uPlot.Padding,
    };

    this.hour = new uPlot(
      {
        ...base,
        ...sizeOf(this.hourBox.el),
        scales: {
          x: { time: true },
          pct: { range: [0, 100] },
          n: { range: (_u, _min, max) => [0, Math.max(5, Math.ceil((max || 0) * 1.2))] },
        },
        axes: [
          common(timeValues),
          common(pctValues, 'pct', 3),
          { ...common((_u, s) => s.map((v) => (Number.isInteger(v) ? String(v) : '')), 'n', 1), grid: { show: false } },
        ],
        series: [
          {},
          { label: this.t.chartSl, scale: 'pct', stroke: C.sl, width: Math.max(2, this.unit * 0.15), spanGaps: false },
          {
            label: this.t.chartWaiting,
            scale: 'n',
            stroke: C.waiting,
            fill: 'rgba(56,189,248,0.18)',
            width: Math.max(1.5, this.unit * 0.1),
            paths: uPlot.paths.stepped?.({ align: 1 }),
          },
          { label: this.t.chartTarget, scale: 'pct', stroke: C.target, width: 1.5, dash: [8, 6] },
        ],
      },
      this.hourAligned(),
      this.hourBox.el,
    );

    const barColours = (u: uPlot): string[] =>
      (u.data[1] as (number | null)[]).map((v) => C.band[serviceLevelBand(v == null ? null : v / 100, this.target, this.amberFrom)]);

    this.today = new uPlot(
      {
        ...base,
        ...sizeOf(this.todayBox.el),
        scales: { x: { time: true }, pct: { range: [0, 100] } },
        axes: [common(timeValues), common(pctValues, 'pct', 3)],
        series: [
          {},
          {
            label: this.t.chartSl,
            scale: 'pct',
            width: 0,
            fill: C.band.green,
            paths: uPlot.paths.bars?.({
              size: [0.8, Infinity, 2],
              align: 0,
              disp: { fill: { unit: 3, values: (u) => barColours(u) } },
            }),
            points: { show: false },
          },
          { label: this.t.chartTarget, scale: 'pct', stroke: C.target, width: 2, dash: [8, 6], points: { show: false } },
        ],
        // No right-hand axis here: leave room for the last time label.
        padding: [Math.round(this.unit * 0.6), Math.round(this.unit * 1.6), 0, 0],
      },
      this.todayAligned(),
      this.todayBox.el,
    );
    this.toggleEmpty();
  }
}

function sizeOf(el: HTMLElement): { width: number; height: number } {
  return { width: Math.max(50, Math.floor(el.clientWidth)), height: Math.max(40, Math.floor(el.clientHeight)) };
}

/** 1 % of the width of the largest 16:9 box that fits the window (the CSS --u). */
export function currentUnit(): number {
  return Math.min(window.innerWidth / 100, (window.innerHeight * 16) / 9 / 100);
}
