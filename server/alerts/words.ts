// What an alert says, in the center's first language (Portuguese or English): the
// one line the supervisor screen shows and the chat messages carry.
import type { AlertKind, AlertSeverity } from '../contract.ts';

export type AlertLang = 'pt' | 'en';

/** Portuguese when the center's first language is a Portuguese one, else English. */
export const alertLangOf = (languageCode: string | undefined): AlertLang => (languageCode?.toLowerCase().startsWith('pt') ? 'pt' : 'en');

const KIND: Record<AlertLang, Record<AlertKind, string>> = {
  pt: {
    serviceLevelBelowTarget: 'Nível de serviço abaixo da meta',
    longestWaitAbove: 'Espera longa',
    noAgentAvailable: 'Nenhum atendente disponível',
    abandonsPerHourAbove: 'Abandonos acima do limite',
    queueClosedByEmergency: 'Fila fechada por emergência',
  },
  en: {
    serviceLevelBelowTarget: 'Service level below target',
    longestWaitAbove: 'Long wait',
    noAgentAvailable: 'No agent available',
    abandonsPerHourAbove: 'Abandons above the limit',
    queueClosedByEmergency: 'Queue closed by emergency',
  },
};

const SEVERITY: Record<AlertLang, Record<AlertSeverity, string>> = {
  pt: { info: 'Informação', warning: 'Atenção', critical: 'Crítico' },
  en: { info: 'Info', warning: 'Warning', critical: 'Critical' },
};

export const kindTitle = (kind: AlertKind, lang: AlertLang): string => KIND[lang][kind];
export const severityLabel = (s: AlertSeverity, lang: AlertLang): string => SEVERITY[lang][s];
export const resolvedLabel = (lang: AlertLang): string => (lang === 'pt' ? 'Resolvido' : 'Resolved');

function percent(ratio: number, lang: AlertLang): string {
  const n = (Math.round(ratio * 1000) / 10).toFixed(1);
  return lang === 'pt' ? `${n.replace('.', ',')} %` : `${n}%`;
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export interface Described {
  kind: AlertKind;
  queueName: string;
  value: number | null;
  limit: number | null;
  forMinutes: number;
}

/** The one line of a firing alert: "Suporte: nível de serviço 50,0 % abaixo da meta 80,0 % há 5 min". */
export function firingLine(a: Described, lang: AlertLang): string {
  const pt = lang === 'pt';
  const q = a.queueName;
  switch (a.kind) {
    case 'serviceLevelBelowTarget': {
      const sl = a.value === null ? '—' : percent(a.value, lang);
      const target = a.limit === null ? '—' : percent(a.limit, lang);
      return pt
        ? `${q}: nível de serviço ${sl} abaixo da meta ${target} há ${a.forMinutes} min`
        : `${q}: service level ${sl} below the ${target} target for ${a.forMinutes} min`;
    }
    case 'longestWaitAbove':
      return pt
        ? `${q}: maior espera ${duration(a.value ?? 0)} acima de ${duration(a.limit ?? 0)}`
        : `${q}: longest wait ${duration(a.value ?? 0)} above ${duration(a.limit ?? 0)}`;
    case 'noAgentAvailable':
      return pt
        ? `${q}: ${a.value ?? 0} em espera e nenhum atendente disponível`
        : `${q}: ${a.value ?? 0} waiting and no agent available`;
    case 'abandonsPerHourAbove':
      return pt
        ? `${q}: ${a.value ?? 0} abandonos na última hora (limite ${a.limit ?? 0})`
        : `${q}: ${a.value ?? 0} abandons in the last hour (limit ${a.limit ?? 0})`;
    case 'queueClosedByEmergency':
      return pt ? `${q}: fila fechada por emergência` : `${q}: queue closed by emergency`;
  }
}

/** The one line of a resolved alert. */
export function resolvedLine(a: Described, lang: AlertLang, why: 'cleared' | 'rule-removed'): string {
  const title = kindTitle(a.kind, lang).toLowerCase();
  if (why === 'rule-removed') return lang === 'pt' ? `${a.queueName}: ${title} — regra removida ou desativada` : `${a.queueName}: ${title} — rule removed or disabled`;
  return lang === 'pt' ? `${a.queueName}: ${title} — normalizado` : `${a.queueName}: ${title} — back to normal`;
}
