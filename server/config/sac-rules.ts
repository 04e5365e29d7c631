// The SAC rules a settings file can break, checked at start (Decreto 11.034/2022, docs/sac.md):
// the first menu offers complaint (reclamação) and cancellation (cancelamento), tagged as
// such, and a way to an agent; every submenu a way to an agent and a way back. In
// `sac.strict` mode a file that breaks them is refused (the server does not start);
// otherwise the server warns at start (server/sac/plugin.ts logs sacRuleProblems).
//
// Also here: what a schema cannot say about business hours, the center's dates, the
// holiday source and the protocol format.
import { holidaySourceProblem, parseDate, parseRange } from '../sac/hours.ts';
import { parseProtocolFormat } from '../sac/protocol.ts';
import type { MenuNode, Settings } from './types.ts';

export interface SacProblem {
  /** JSON pointer of the menu or option. */
  field: string;
  rule: string;
}

const reachesAgent = (m: MenuNode) => m.options.some((o) => o.queue !== undefined);

/** Every SAC rule the menu breaks, first menu first. */
export function sacRuleProblems(s: Settings): SacProblem[] {
  const out: SacProblem[] = [];
  const root = s.ivr.menu;
  const at = '/ivr/menu';
  for (const [tag, name] of [['complaint', 'reclamação (complaint)'], ['cancel', 'cancelamento (cancellation)']] as const) {
    if (!root.options.some((o) => o.tag === tag)) out.push({ field: `${at}/options`, rule: `the first menu must offer ${name}: an option tagged "${tag}"` });
  }
  if (!reachesAgent(root)) out.push({ field: `${at}/options`, rule: 'the first menu must offer a way to an agent: an option with a queue' });
  const walk = (menu: MenuNode, field: string) => {
    menu.options.forEach((o, i) => {
      if (!o.menu) return;
      const sub = `${field}/options/${i}/menu`;
      if (!reachesAgent(o.menu)) out.push({ field: `${sub}/options`, rule: `submenu "${o.menu.id}" must offer a way to an agent: an option with a queue` });
      if (!o.menu.options.some((x) => x.back === true)) out.push({ field: `${sub}/options`, rule: `submenu "${o.menu.id}" must offer a way back: an option with "back": true` });
      walk(o.menu, sub);
    });
  };
  walk(root, at);
  return out;
}

/** Business hours, dates, holidays and the protocol format; the SAC menu rules too in strict mode. */
export function checkSacSettings(s: Settings, queueIds: Set<string>, fail: (field: string, rule: string) => never): void {
  s.queues.forEach((q, i) => {
    for (const [day, ranges] of Object.entries(q.hours ?? {})) {
      (ranges ?? []).forEach((r, k) => {
        const field = `/queues/${i}/hours/${day}/${k}`;
        try { parseRange(r); } catch (err) { fail(field, `${field}: ${(err as Error).message}`); }
      });
    }
  });
  const sac = s.sac;
  if (!sac) return;
  sac.dates.forEach((d, i) => {
    const field = `/sac/dates/${i}`;
    try { parseDate(d.date); } catch (err) { fail(`${field}/date`, `${field}/date: ${(err as Error).message}`); }
    (d.hours ?? []).forEach((r, k) => {
      try { parseRange(r); } catch (err) { fail(`${field}/hours/${k}`, `${field}/hours/${k}: ${(err as Error).message}`); }
    });
    d.queues?.forEach((q, k) => {
      if (!queueIds.has(q)) fail(`${field}/queues/${k}`, `${field}/queues/${k}: no queue "${q}" (queues are ${[...queueIds].join(', ')})`);
    });
  });
  if (sac.holidays) {
    const problem = holidaySourceProblem(sac.holidays);
    if (problem) fail('/sac/holidays', `/sac/holidays: ${problem}`);
  }
  try { parseProtocolFormat(sac.protocolFormat); } catch (err) { fail('/sac/protocolFormat', `/sac/protocolFormat: ${(err as Error).message}`); }
  if (sac.strict) {
    const first = sacRuleProblems(s)[0];
    if (first) fail(first.field, `${first.field}: ${first.rule} (sac.strict: the SAC rules must hold to start)`);
  }
}
