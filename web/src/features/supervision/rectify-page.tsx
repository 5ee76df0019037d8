import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Descriptions, Layout, List, Result, Space, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { api } from '../../lib/api-client';
import { RespondForm } from './order-page';
import { type FileRef, fmtTime, OrderStateTag, SeverityTag } from './shared';

interface LinkedOrder {
  id: string;
  number: string;
  organizationName: string;
  regulatorName: string;
  requirements: string;
  deadline: string;
  responsibleName: string;
  state: string;
  issuedAt: string;
  overdue: boolean;
  findings: {
    id: string;
    severity: 'serious' | 'warning' | 'notice';
    message: string;
    basis: string;
  }[];
  files: { id: string; name: string | null }[];
  expiresAt: string;
}

/**
 * The one-time link of a rectification order (no account): the organization sees its order only,
 * uploads evidence and submits its answer once; the link then ends.
 */
export function RectifyPage() {
  const { t } = useTranslation();
  const { token = '' } = useParams();
  const [done, setDone] = useState(false);
  const q = useQuery({
    queryKey: ['rectify', token],
    queryFn: () => api.get<LinkedOrder>(`/api/public/orders/${encodeURIComponent(token)}`),
    retry: false,
    enabled: !done,
  });
  let body: React.ReactNode;
  if (done)
    body = <Result status="success" title={t('sv.rectify.done')} data-testid="rectify-done" />;
  else if (q.isLoading) body = <Spin style={{ display: 'block', margin: '20vh auto' }} />;
  else if (q.error || !q.data)
    body = (
      <Result
        status="warning"
        title={t('sv.rectify.expired')}
        subTitle={t('sv.rectify.expiredHint')}
      />
    );
  else {
    const o = q.data;
    body = (
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('sv.rectify.title')} {o.number} <OrderStateTag state={o.state} overdue={o.overdue} />
        </Typography.Title>
        <Descriptions size="small" column={1} bordered>
          <Descriptions.Item label={t('sv.order.organization')}>
            {o.organizationName}
          </Descriptions.Item>
          <Descriptions.Item label={t('sv.order.issuedBy')}>
            {o.regulatorName} · {fmtTime(o.issuedAt)}
          </Descriptions.Item>
          <Descriptions.Item label={t('sv.order.deadline')}>{o.deadline}</Descriptions.Item>
          <Descriptions.Item label={t('sv.order.requirements')}>{o.requirements}</Descriptions.Item>
        </Descriptions>
        <Card size="small" title={t('sv.order.findings')}>
          <List
            dataSource={o.findings}
            renderItem={(f) => (
              <List.Item>
                <Space direction="vertical" size={2}>
                  <SeverityTag severity={f.severity} />
                  <span>{f.message}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('sv.basis')}：{f.basis}
                  </Typography.Text>
                </Space>
              </List.Item>
            )}
          />
        </Card>
        {o.state === 'issued' ? (
          <RespondForm
            testId="rectify-form"
            upload={(b) =>
              api.post<FileRef>(`/api/public/orders/${encodeURIComponent(token)}/files`, b)
            }
            respond={async (b) => {
              await api.post(`/api/public/orders/${encodeURIComponent(token)}/respond`, b);
              setDone(true);
            }}
          />
        ) : (
          <Alert type="info" showIcon message={t('sv.order.submitted')} />
        )}
      </Space>
    );
  }
  return (
    <Layout style={{ minHeight: '100vh', background: '#f5f5f5' }}>
      <Layout.Content style={{ maxWidth: 720, width: '100%', margin: '0 auto', padding: 12 }}>
        <Typography.Title level={5} style={{ color: '#b7312c' }}>
          {t('app.name')} · {t('app.subtitle')}
        </Typography.Title>
        {body}
      </Layout.Content>
    </Layout>
  );
}
