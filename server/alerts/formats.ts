// The bodies a destination is sent, one per format:
// - slack: an incoming webhook message, `{text, blocks}` (Block Kit: header, section,
//   context); `text` is the notification's fallback.
// - teams: what Teams' Workflows ("When a Teams webhook request is received" → post
//   a card) and incoming webhooks take: a message with one Adaptive Card attachment
//   (`application/vnd.microsoft.card.adaptive`, card version 1.4).
// - teams-messagecard: the legacy Office 365 connector MessageCard, for incoming
//   webhooks not yet moved to Workflows (Workflows do not take it).
// - json: Atende's own, the alert as the supervisor screen shows it.
import type { AlertFormat, AlertSeverity, AlertView } from '../contract.ts';
import { kindTitle, resolvedLabel, severityLabel, type AlertLang } from './words.ts';

export interface Notice {
  phase: 'fired' | 'resolved';
  alert: AlertView;
  centerName: string;
  lang: AlertLang;
  /** ISO 8601 with the center's offset. */
  at: string;
}

const EMOJI: Record<AlertSeverity, string> = { info: ':information_source:', warning: ':warning:', critical: ':red_circle:' };
/** Adaptive Card TextBlock colours. */
const CARD_COLOUR: Record<AlertSeverity, string> = { info: 'Accent', warning: 'Warning', critical: 'Attention' };
const HEX: Record<AlertSeverity, string> = { info: '0078D7', warning: 'FFB900', critical: 'D70000' };

/** "[Crítico] Nível de serviço abaixo da meta — Suporte" / "[Resolvido] …". */
export function titleOf(n: Notice): string {
  const tag = n.phase === 'resolved' ? resolvedLabel(n.lang) : severityLabel(n.alert.severity, n.lang);
  const where = n.alert.queueName ? ` — ${n.alert.queueName}` : '';
  return `[${tag}] ${kindTitle(n.alert.kind, n.lang)}${where}`;
}

function facts(n: Notice, withQueue = true): { name: string; value: string }[] {
  const pt = n.lang === 'pt';
  return [
    { name: pt ? 'Central' : 'Center', value: n.centerName },
    ...(withQueue ? [{ name: pt ? 'Fila' : 'Queue', value: n.alert.queueName ?? '—' }] : []),
    { name: pt ? 'Gravidade' : 'Severity', value: severityLabel(n.alert.severity, n.lang) },
    { name: pt ? 'Regra' : 'Rule', value: n.alert.ruleId },
    { name: pt ? 'Quando' : 'When', value: n.at },
  ];
}

export function slackBody(n: Notice): { text: string; blocks: unknown[] } {
  const title = titleOf(n);
  const emoji = n.phase === 'resolved' ? ':white_check_mark:' : EMOJI[n.alert.severity];
  return {
    text: `${title}: ${n.alert.message}`,
    blocks: [
      // Header text is plain text, at most 150 characters.
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: `${emoji} ${n.alert.message}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: facts(n, false).map((f) => `*${f.name}:* ${f.value}`).join('  ·  ') }] },
    ],
  };
}

export function teamsBody(n: Notice): unknown {
  return {
    type: 'message',
    attachments: [{
      contentType: 'application/vnd.microsoft.card.adaptive',
      contentUrl: null,
      content: {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: '1.4',
        body: [
          { type: 'TextBlock', text: titleOf(n), weight: 'Bolder', size: 'Medium', wrap: true, color: n.phase === 'resolved' ? 'Good' : CARD_COLOUR[n.alert.severity] },
          { type: 'TextBlock', text: n.alert.message, wrap: true },
          { type: 'FactSet', facts: facts(n).map((f) => ({ title: f.name, value: f.value })) },
        ],
      },
    }],
  };
}

export function messageCardBody(n: Notice): unknown {
  const title = titleOf(n);
  return {
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    summary: title,
    themeColor: n.phase === 'resolved' ? '107C10' : HEX[n.alert.severity],
    title,
    text: n.alert.message,
    sections: [{ facts: facts(n) }],
  };
}

export function jsonBody(n: Notice): unknown {
  const { deliveries: _deliveries, ...alert } = n.alert;
  return { type: 'atende.alert', event: n.phase, center: n.centerName, at: n.at, title: titleOf(n), alert };
}

export function bodyOf(format: AlertFormat, n: Notice): unknown {
  switch (format) {
    case 'slack': return slackBody(n);
    case 'teams': return teamsBody(n);
    case 'teams-messagecard': return messageCardBody(n);
    case 'json': return jsonBody(n);
  }
}
