import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type {
  AttemptSchema,
  PlanSchema,
  RegistrationSchema,
  RunningSessionSchema,
  SessionSchema,
} from '../../../../src/modules/exams/exams.contract.js';
import { ApiError } from '../../lib/api-client';

export type Plan = z.infer<typeof PlanSchema>;
export type Session = z.infer<typeof SessionSchema>;
export type Registration = z.infer<typeof RegistrationSchema>;
export type Attempt = z.infer<typeof AttemptSchema>;
export type RunningSession = z.infer<typeof RunningSessionSchema>;

export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : String(e);
}

const resultColor: Record<string, string> = {
  pass: 'green',
  fail: 'red',
  cancelled: 'volcano',
  absent: 'default',
};

export function ResultTag({ result }: { result: string | null }) {
  const { t } = useTranslation();
  if (!result) return <Tag>{t('exams.result.pending')}</Tag>;
  return (
    <Tag color={resultColor[result]} data-testid="exam-result">
      {t(`exams.result.${result}`)}
    </Tag>
  );
}

export function StatusTag({ r }: { r: Pick<Registration, 'status' | 'checkinDecision'> }) {
  const { t } = useTranslation();
  if (r.status === 'checked_in') return <Tag color="green">{t('exams.status.checked_in')}</Tag>;
  if (r.status === 'withdrawn') return <Tag>{t('exams.status.withdrawn')}</Tag>;
  if (r.checkinDecision && r.checkinDecision !== 'match')
    return <Tag color="red">{t('exams.status.face_failed')}</Tag>;
  return <Tag color="blue">{t('exams.status.registered')}</Tag>;
}

export const fmt = (iso: string) =>
  new Date(iso).toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    hour12: false,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
