import { useQuery } from '@tanstack/react-query';
import { Alert, Drawer, List, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Chart } from '../../components/chart';
import { api } from '../../lib/api-client';
import { useIsPhone } from '../../lib/use-media';
import {
  type ClassDetail,
  errorText,
  fmtSpan,
  hours,
  type LedgerEvidence,
  type LedgerRow,
  MakeupTag,
  ModeTag,
} from './shared';
import { Timeline } from './timeline';

/** The hours ledger of a class: computed by the server from the records, with the evidence per trainee. */
export function LedgerTab({ cls }: { cls: ClassDetail }) {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const [open, setOpen] = useState<LedgerRow | null>(null);
  const ledger = useQuery({
    queryKey: ['ledger', cls.id],
    queryFn: () => api.get<{ items: LedgerRow[] }>(`/api/classes/${cls.id}/ledger`),
  });
  if (ledger.error) return <Alert type="error" message={errorText(ledger.error)} />;
  const rows = ledger.data?.items ?? [];
  const met = rows.filter((r) => r.theoryMet && r.practicalMet).length;
  const metTag = (ok: boolean) => (
    <Tag color={ok ? 'green' : 'red'}>
      {ok ? t('training.ledger.met') : t('training.ledger.notMet')}
    </Tag>
  );
  const theoryTotal = (r: LedgerRow) => hours(r.theoryHours + r.onlineHoursCounted);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Alert type="info" showIcon message={t('training.ledger.computed')} />
      <Typography.Text strong>
        {t('training.ledger.summary', { met, total: rows.length })}
      </Typography.Text>
      {rows.length > 0 && (
        <Chart
          height={Math.max(220, rows.length * 22)}
          option={{
            tooltip: { trigger: 'axis' },
            legend: {},
            grid: { left: 80, right: 16, top: 32, bottom: 24 },
            yAxis: { type: 'category', data: rows.map((r) => r.name), inverse: true },
            xAxis: { type: 'value', name: t('training.ledger.hours') },
            series: [
              {
                name: t('training.ledger.theory'),
                type: 'bar',
                stack: 'theory',
                data: rows.map((r) => hours(r.theoryHours)),
                markLine: {
                  symbol: 'none',
                  data: [{ xAxis: cls.syllabus.theoryHours, name: t('training.ledger.syllabus') }],
                },
              },
              {
                name: t('training.ledger.onlineCounted'),
                type: 'bar',
                stack: 'theory',
                data: rows.map((r) => hours(r.onlineHoursCounted)),
              },
              {
                name: t('training.ledger.practical'),
                type: 'bar',
                data: rows.map((r) => hours(r.practicalHours)),
              },
            ],
          }}
        />
      )}
      {isPhone ? (
        <List
          dataSource={rows}
          renderItem={(r) => (
            <List.Item data-testid="ledger-row" onClick={() => setOpen(r)}>
              <Space direction="vertical" size={0}>
                <Space>
                  <strong>{r.name}</strong>
                  {metTag(r.theoryMet && r.practicalMet)}
                  {r.makeups > 0 && <MakeupTag count={r.makeups} />}
                </Space>
                <Typography.Text type="secondary">{`${t('training.ledger.theory')} ${theoryTotal(r)}/${r.syllabusTheoryHours} · ${t('training.ledger.practical')} ${hours(r.practicalHours)}/${r.syllabusPracticalHours}`}</Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      ) : (
        <Table
          size="small"
          rowKey="personId"
          loading={ledger.isLoading}
          pagination={false}
          dataSource={rows}
          onRow={(r) =>
            ({
              onClick: () => setOpen(r),
              style: { cursor: 'pointer' },
              'data-testid': 'ledger-row',
            }) as React.HTMLAttributes<HTMLElement>
          }
          columns={[
            { title: t('training.ledger.name'), dataIndex: 'name' },
            { title: t('training.ledger.theory'), render: (_, r) => hours(r.theoryHours) },
            {
              title: t('training.ledger.online'),
              render: (_, r) =>
                r.onlineHours > r.onlineHoursCounted
                  ? `${hours(r.onlineHoursCounted)} (${hours(r.onlineHours)})`
                  : hours(r.onlineHours),
            },
            {
              title: `${t('training.ledger.theory')} / ${t('training.ledger.syllabus')}`,
              render: (_, r) => (
                <Space>
                  {`${theoryTotal(r)} / ${r.syllabusTheoryHours}`}
                  {metTag(r.theoryMet)}
                </Space>
              ),
            },
            {
              title: `${t('training.ledger.practical')} / ${t('training.ledger.syllabus')}`,
              render: (_, r) => (
                <Space>
                  {`${hours(r.practicalHours)} / ${r.syllabusPracticalHours}`}
                  {metTag(r.practicalMet)}
                </Space>
              ),
            },
            {
              title: '',
              render: (_, r) => (r.makeups > 0 ? <MakeupTag count={r.makeups} /> : null),
            },
          ]}
        />
      )}
      {open && <EvidenceDrawer classId={cls.id} row={open} onClose={() => setOpen(null)} />}
    </Space>
  );
}

function EvidenceDrawer({
  classId,
  row,
  onClose,
}: {
  classId: string;
  row: LedgerRow;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const evidence = useQuery({
    queryKey: ['evidence', classId, row.personId],
    queryFn: () => api.get<LedgerEvidence>(`/api/classes/${classId}/ledger/${row.personId}`),
  });
  return (
    <Drawer
      open
      width={isPhone ? '100%' : 640}
      title={t('training.ledger.evidence', { name: row.name })}
      onClose={onClose}
    >
      {evidence.error && <Alert type="error" message={errorText(evidence.error)} />}
      {evidence.data && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <List
            header={<strong>{t('training.ledger.details')}</strong>}
            locale={{ emptyText: t('training.ledger.noLessons') }}
            dataSource={evidence.data.lessons}
            renderItem={(l) => (
              <List.Item>
                <Space direction="vertical" style={{ width: '100%' }} size={4}>
                  <Space wrap>
                    <ModeTag mode={l.mode} />
                    <span>{fmtSpan(l.startsAt, l.endsAt)}</span>
                    <span>{l.topic}</span>
                    <Tag>
                      {t('training.ledger.counted', { count: Math.round(l.countedMinutes) })}
                    </Tag>
                    {l.makeupReason && <MakeupTag reason={l.makeupReason} />}
                  </Space>
                  <Timeline
                    from={l.startsAt}
                    to={l.endsAt}
                    tracks={[
                      {
                        label: t('training.ledger.presence'),
                        background: '#f0f0f0',
                        segments: l.presence.map((i) => ({ ...i, color: '#597ef7' })),
                      },
                      {
                        label: t('training.ledger.video'),
                        background: '#ffccc7',
                        segments: l.coverage.map((i) => ({ ...i, color: '#73d13d' })),
                      },
                    ]}
                  />
                  {l.eventIds.length > 0 && (
                    <Typography.Text type="secondary">
                      {t('training.ledger.events', { count: l.eventIds.length })}
                    </Typography.Text>
                  )}
                </Space>
              </List.Item>
            )}
          />
          <Typography.Title level={5}>{t('training.ledger.onlineTitle')}</Typography.Title>
          <Typography.Text>{`${t('training.ledger.verifiedMinutes')}: ${Math.round(evidence.data.online.verifiedMinutes)} min · ${t('training.ledger.segments')}: ${evidence.data.online.segments} · ${t('training.ledger.unverifiedSegments')}: ${evidence.data.online.unverifiedSegments}`}</Typography.Text>
        </Space>
      )}
    </Drawer>
  );
}
