import { useQuery } from '@tanstack/react-query';
import { Empty, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { z } from 'zod';
import type { CertificateSummary } from '../../../../src/modules/certificates/certificates.contract.js';
import type { RegistrationSchema } from '../../../../src/modules/exams/exams.contract.js';
import { api } from '../../lib/api-client';
import { itemLabel } from '../../lib/catalog';
import { StateTag } from '../certificates/shared';
import { fmt, ResultTag } from '../exams/shared';

type Registration = z.infer<typeof RegistrationSchema>;
interface HoursLine {
  classId: string;
  classCode: string;
  operationItemCode: string;
  kind: string;
  phase: string;
  startDate: string;
  endDate: string;
  theoryHours: number;
  practicalHours: number;
  onlineHoursCounted: number;
  syllabusTheoryHours: number;
  syllabusPracticalHours: number;
  theoryMet: boolean;
  practicalMet: boolean;
}

const hours = (n: number) => String(Math.round(n * 10) / 10);

/** 一人一档 · 培训与学时: every class in the caller's scope, with the hours the ledger proves. */
export function PersonClasses({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ['person-hours', personId],
    queryFn: () => api.get<{ items: HoursLine[] }>(`/api/persons/${personId}/hours`),
  });
  return (
    <Table<HoursLine>
      rowKey="classId"
      size="small"
      pagination={false}
      scroll={{ x: true }}
      loading={q.isLoading}
      dataSource={q.data?.items ?? []}
      locale={{ emptyText: <Empty description={t('personFile.noClasses')} /> }}
      data-testid="person-classes"
      columns={[
        {
          title: t('personFile.class'),
          key: 'class',
          render: (_, l) => <Link to={`/classes/${l.classId}`}>{l.classCode}</Link>,
        },
        {
          title: t('person.item'),
          key: 'item',
          render: (_, l) => itemLabel(l.operationItemCode),
        },
        {
          title: t('personFile.kind'),
          key: 'kind',
          render: (_, l) => t(`training.kinds.${l.kind}`, { defaultValue: l.kind }),
        },
        {
          title: t('personFile.dates'),
          key: 'dates',
          render: (_, l) => `${l.startDate} ~ ${l.endDate}`,
        },
        {
          title: t('personFile.phase'),
          key: 'phase',
          render: (_, l) => <Tag>{t(`training.phases.${l.phase}`)}</Tag>,
        },
        {
          title: t('personFile.theory'),
          key: 'theory',
          render: (_, l) => (
            <Typography.Text type={l.theoryMet ? undefined : 'danger'}>
              {`${hours(l.theoryHours + l.onlineHoursCounted)} / ${l.syllabusTheoryHours}`}
            </Typography.Text>
          ),
        },
        {
          title: t('personFile.practical'),
          key: 'practical',
          render: (_, l) => (
            <Typography.Text type={l.practicalMet ? undefined : 'danger'}>
              {`${hours(l.practicalHours)} / ${l.syllabusPracticalHours}`}
            </Typography.Text>
          ),
        },
      ]}
    />
  );
}

/** 一人一档 · 考试: registrations and results in the caller's scope. */
export function PersonExams({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ['person-exams', personId],
    queryFn: () => api.get<{ items: Registration[] }>('/api/exams/registrations', { personId }),
  });
  return (
    <Table<Registration>
      rowKey="id"
      size="small"
      pagination={false}
      scroll={{ x: true }}
      loading={q.isLoading}
      dataSource={q.data?.items ?? []}
      locale={{ emptyText: <Empty description={t('personFile.noExams')} /> }}
      data-testid="person-exams"
      columns={[
        {
          title: t('personFile.session'),
          key: 'session',
          render: (_, r) => <Link to={`/exams/sessions/${r.sessionId}`}>{fmt(r.startsAt)}</Link>,
        },
        { title: t('person.item'), dataIndex: 'itemName' },
        { title: t('personFile.site'), dataIndex: 'siteName' },
        {
          title: t('personFile.scores'),
          key: 'scores',
          render: (_, r) =>
            r.published
              ? [r.theoryScore, r.practicalScore].map((s) => (s === null ? '—' : s)).join(' / ')
              : '—',
        },
        {
          title: t('personFile.result'),
          key: 'result',
          render: (_, r) => <ResultTag result={r.published ? r.result : null} />,
        },
        {
          title: t('personFile.certificate'),
          key: 'cert',
          render: (_, r) =>
            r.certificateId ? (
              <Link to={`/certificates/${r.certificateId}`}>{t('personFile.open')}</Link>
            ) : (
              '—'
            ),
        },
      ]}
    />
  );
}

/** 一人一档 · 证书: certificates with their state (events on the certificate's page). */
export function PersonCertificates({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ['person-certificates', personId],
    queryFn: () =>
      api.get<{ items: CertificateSummary[] }>('/api/certificates', { personId, pageSize: 100 }),
  });
  return (
    <Table<CertificateSummary>
      rowKey="id"
      size="small"
      pagination={false}
      scroll={{ x: true }}
      loading={q.isLoading}
      dataSource={q.data?.items ?? []}
      locale={{ emptyText: <Empty description={t('personFile.noCertificates')} /> }}
      data-testid="person-certificates"
      columns={[
        {
          title: t('personFile.number'),
          key: 'number',
          render: (_, c) => <Link to={`/certificates/${c.id}`}>{c.number}</Link>,
        },
        { title: t('person.item'), key: 'item', render: (_, c) => c.operationItem.name },
        { title: t('personFile.issuedOn'), dataIndex: 'issuedOn' },
        { title: t('personFile.validUntil'), dataIndex: 'validUntil' },
        {
          title: t('personFile.state'),
          key: 'state',
          render: (_, c) => <StateTag state={c.state} since={c.stateSince} />,
        },
      ]}
    />
  );
}
