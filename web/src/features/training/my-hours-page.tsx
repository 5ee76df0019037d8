import { useQuery } from '@tanstack/react-query';
import { Alert, Card, List, Progress, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../lib/api-client';
import { itemLabel } from '../../lib/catalog';
import { classPhaseColor, errorText, hours, MakeupTag, type MyHoursRow } from './shared';

/** A worker's own classes and the hours the records prove, phone first. */
export function MyHoursPage() {
  const { t } = useTranslation();
  const mine = useQuery({
    queryKey: ['my-hours'],
    queryFn: () => api.get<{ items: MyHoursRow[] }>('/api/me/hours'),
  });
  if (mine.error) return <Alert type="error" message={errorText(mine.error)} />;
  const pct = (a: number, b: number) => (b <= 0 ? 100 : Math.min(100, Math.round((a / b) * 100)));
  return (
    <Card title={t('menu.myHours')}>
      <Alert
        type="info"
        showIcon
        message={t('training.ledger.computed')}
        style={{ marginBottom: 12 }}
      />
      <List
        loading={mine.isLoading}
        dataSource={mine.data?.items ?? []}
        renderItem={(r) => {
          const theory = r.theoryHours + r.onlineHoursCounted;
          return (
            <List.Item data-testid="my-hours-row">
              <Space direction="vertical" style={{ width: '100%' }} size={4}>
                <Space wrap>
                  <strong>{itemLabel(r.operationItemCode)}</strong>
                  <Tag>{t(`training.kinds.${r.kind}`)}</Tag>
                  <Typography.Text type="secondary">{r.classCode}</Typography.Text>
                  <Tag color={classPhaseColor[r.phase]}>{t(`training.phases.${r.phase}`)}</Tag>
                  <Typography.Text type="secondary">{`${r.startDate} ~ ${r.endDate}`}</Typography.Text>
                  <Tag color={r.theoryMet && r.practicalMet ? 'green' : 'orange'}>
                    {r.theoryMet && r.practicalMet
                      ? t('training.ledger.met')
                      : t('training.ledger.notMet')}
                  </Tag>
                  {r.makeups > 0 && <MakeupTag count={r.makeups} />}
                </Space>
                <span>{`${t('training.ledger.theory')} ${hours(theory)} / ${r.syllabusTheoryHours}（${t('training.ledger.online')} ${hours(r.onlineHoursCounted)}）`}</span>
                <Progress
                  percent={pct(theory, r.syllabusTheoryHours)}
                  size="small"
                  data-testid="my-theory-hours"
                  data-hours={hours(theory)}
                />
                {r.syllabusPracticalHours > 0 && (
                  <>
                    <span>{`${t('training.ledger.practical')} ${hours(r.practicalHours)} / ${r.syllabusPracticalHours}`}</span>
                    <Progress
                      percent={pct(r.practicalHours, r.syllabusPracticalHours)}
                      size="small"
                    />
                  </>
                )}
              </Space>
            </List.Item>
          );
        }}
      />
    </Card>
  );
}
