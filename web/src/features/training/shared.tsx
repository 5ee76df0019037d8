import type { FormInstance } from 'antd';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type {
  ClassDetailSchema,
  ClassSummarySchema,
  CoverageSchema,
  LedgerEvidenceSchema,
  LedgerRowSchema,
  LessonSchema,
  RosterEntrySchema,
} from '../../../../src/modules/training/classes.contract.js';
import { ApiError, type ApiErrorDetail } from '../../lib/api-client';

export type ClassSummary = z.infer<typeof ClassSummarySchema>;
export type ClassDetail = z.infer<typeof ClassDetailSchema>;
export type Lesson = z.infer<typeof LessonSchema>;
export type Finding = ClassDetail['findings'][number];
export type RosterEntry = z.infer<typeof RosterEntrySchema>;
export type Coverage = z.infer<typeof CoverageSchema>;
export type LedgerRow = z.infer<typeof LedgerRowSchema>;
export type LedgerEvidence = z.infer<typeof LedgerEvidenceSchema>;
export type Interval = { from: string; to: string };

export interface LessonRoster {
  lesson: {
    id: string;
    classId: string;
    classCode: string;
    topic: string;
    mode: string;
    startsAt: string;
    endsAt: string;
  };
  summary: {
    total: number;
    present: number;
    left: number;
    absent: number;
    faceFailed: number;
    makeup: number;
  };
  items: RosterEntry[];
}

export type MyHoursRow = LedgerRow & {
  operationItemCode: string;
  kind: string;
  status: string;
  phase: string;
  startDate: string;
  endDate: string;
};

export const classKinds = ['initial', 'refresher', 'review'] as const;
/** 培训中 only between the class's dates: the phase comes from the server, computed on the Beijing day. */
export const classPhaseColor: Record<string, string> = {
  upcoming: 'cyan',
  running: 'blue',
  finished: 'gold',
  sealed: 'default',
};
export const modeColor: Record<string, string> = {
  theory: 'geekblue',
  practical: 'purple',
  online: 'cyan',
};
export const severityColor: Record<string, string> = { refuse: 'red', warn: 'orange' };
export const rosterStatusColor: Record<string, string> = {
  not_started: 'default',
  present: 'green',
  left: 'default',
  absent: 'red',
  face_failed: 'volcano',
  makeup: 'gold',
};

/** Hours are shown to one decimal: the ledger computes them, nobody rounds them by hand. */
export const hours = (n: number) => Math.round(n * 10) / 10;
export const minutesBetween = (from: string, to: string) =>
  (Date.parse(to) - Date.parse(from)) / 60_000;
// Times are Beijing time whatever the browser's zone (lib/beijing-time).
export { fmtDateTime, fmtSpan, fmtTime } from '../../lib/beijing-time';

export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : String(e);
}

/** A route the server does not offer yet answers 404 (or, behind a proxy, something that is not JSON). */
export function isNotAvailable(e: unknown): boolean {
  return (e instanceof ApiError && e.status === 404) || e instanceof SyntaxError;
}

export function ModeTag({ mode }: { mode: string }) {
  const { t } = useTranslation();
  return <Tag color={modeColor[mode]}>{t(`training.lesson.modes.${mode}`)}</Tag>;
}

/** A make-up entry (补录) is flagged wherever attendance or hours are shown. */
export function MakeupTag({ count, reason }: { count?: number; reason?: string | null }) {
  const { t } = useTranslation();
  return (
    <Tag color="gold" title={reason ?? undefined}>
      {count !== undefined
        ? t('training.ledger.makeups', { count })
        : t('training.attendance.makeup')}
    </Tag>
  );
}

/** 'body.trainees.2.idNumber' → ['trainees', 2, 'idNumber']. */
export function pathToName(path: string | undefined): (string | number)[] | null {
  if (!path) return null;
  const parts = path.split('.');
  if (parts[0] === 'body') parts.shift();
  if (parts.length === 0) return null;
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/**
 * Puts each detail of an API error next to the form field it names; returns the details that name
 * no field (rule refusals, the whole request), for the form's own alert.
 */
export function showFieldErrors(
  form: FormInstance,
  error: unknown,
  fieldOf: (name: (string | number)[], detail: ApiErrorDetail) => (string | number)[] | null,
): ApiErrorDetail[] {
  if (!(error instanceof ApiError)) return [];
  const byField = new Map<string, { name: (string | number)[]; errors: string[] }>();
  const rest: ApiErrorDetail[] = [];
  for (const d of error.details) {
    const parsed = pathToName(d.path);
    const name = parsed ? fieldOf(parsed, d) : null;
    if (!name) {
      rest.push(d);
      continue;
    }
    const key = JSON.stringify(name);
    const entry = byField.get(key) ?? { name, errors: [] };
    entry.errors.push(d.message);
    byField.set(key, entry);
  }
  form.setFields([...byField.values()]);
  return rest;
}
