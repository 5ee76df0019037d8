import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Empty, Space, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../lib/api-client';
import { loadQueue } from './inspection-queue';
import { errorText, type Inspection, InspectionStatusTag } from './shared';

/** The inspector's day on the phone: the inspections scheduled today and any left open before. */
export function MyDayPage() {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ['my-day'],
    queryFn: () => api.get<{ today: string; inspections: Inspection[] }>('/api/supervision/my-day'),
  });
  if (q.isLoading) return <Spin style={{ display: 'block', margin: '20vh auto' }} />;
  if (q.error || !q.data) return <Alert type="error" showIcon message={errorText(q.error)} />;
  return (
    <div style={{ maxWidth: 720, margin: '0 auto' }}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('sv.myDay')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        {t('sv.today', { date: q.data.today })}
      </Typography.Paragraph>
      {q.data.inspections.length === 0 && <Empty description={t('sv.noInspections')} />}
      {q.data.inspections.map((i) => {
        const queued = loadQueue(i.id).ops.length;
        return (
          <Card
            key={i.id}
            size="small"
            style={{ marginBottom: 8 }}
            data-testid="my-day-inspection"
            title={
              <Space size={4} wrap>
                <InspectionStatusTag status={i.status} />
                <span>{i.organizationName}</span>
              </Space>
            }
          >
            <Typography.Paragraph style={{ marginBottom: 8 }} type="secondary">
              {t(`kind.${i.organizationKind}`)} · {i.scheduledOn}
              <br />
              {t('sv.checklist')}：{i.templateName}
              <br />
              {t('sv.inspectors')}：{i.inspectors.map((p) => p.name).join('、')}
            </Typography.Paragraph>
            {queued > 0 && (
              <Alert
                type="warning"
                showIcon
                style={{ marginBottom: 8 }}
                message={t('sv.pending', { count: queued })}
              />
            )}
            <Link to={`/inspect/${i.id}`}>
              <Button type="primary" block size="large">
                {i.status === 'scheduled'
                  ? t('sv.openInspection')
                  : i.status === 'signed'
                    ? t('sv.viewInspection')
                    : t('sv.continueInspection')}
              </Button>
            </Link>
          </Card>
        );
      })}
    </div>
  );
}
