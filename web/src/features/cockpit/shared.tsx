import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import {
  type DetectionRuleId,
  detectionRules,
  type FindingSeverity,
} from '../../../../src/catalog/findings.js';

export type {
  Alert,
  AlertDetail,
} from '../../../../src/modules/detection/alerts.contract.js';
export type {
  Cockpit,
  MonthlyReport,
  RankedOrganization,
  Rate,
} from '../../../../src/modules/detection/cockpit.contract.js';

export const severityColor: Record<FindingSeverity, string> = {
  serious: 'red',
  warning: 'orange',
  notice: 'blue',
};

export const stateColor: Record<string, string> = {
  new: 'red',
  acknowledged: 'gold',
  dismissed: 'default',
  finding: 'purple',
};

/** A rule by its name in the reader's language (never its id). */
export function useRuleName() {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  return (rule: DetectionRuleId | string) => {
    const r = detectionRules[rule as DetectionRuleId];
    return r ? (en ? r.name.en : r.name.zh) : rule;
  };
}

export function SeverityTag({ severity }: { severity: FindingSeverity }) {
  const { t } = useTranslation();
  return <Tag color={severityColor[severity]}>{t(`cockpit.severity.${severity}`)}</Tag>;
}

export function StateTag({ state }: { state: string }) {
  const { t } = useTranslation();
  return <Tag color={stateColor[state]}>{t(`cockpit.alerts.states.${state}`)}</Tag>;
}

/** The alert list's URL for a filter: every number on the cockpit leads there. */
export function alertsLink(filter: Record<string, string | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `/alerts?${s}` : '/alerts';
}

export const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Beijing time, whatever the browser's zone. */
export const beijing = (iso: string) =>
  new Date(iso).toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    hour12: false,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
