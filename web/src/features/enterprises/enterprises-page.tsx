import { useQuery } from '@tanstack/react-query';
import { Input, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, type Page } from '../../lib/api-client';

interface Row {
  id: string;
  name: string;
  highRisk: boolean;
  headcount: number;
  certifiedRate: number | null;
  trainedRate: number | null;
  overdue: number;
  dueSoon: number;
}

/** The regulator's view: every enterprise in its jurisdiction with what it owes. */
export function EnterprisesPage() {
  const { t } = useTranslation();
  const [filter, setFilter] = useState({ q: '', page: 1, pageSize: 20 });
  const q = useQuery({
    queryKey: ['enterprises', filter],
    queryFn: () => api.get<Page<Row> & { asOf: string }>('/api/enterprises', filter),
    placeholderData: (p) => p,
  });
  const pct = (v: number | null) =>
    v === null ? '—' : <span style={{ color: v < 100 ? '#b7312c' : undefined }}>{v}%</span>;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t('ent.list')}
      </Typography.Title>
      {q.data && (
        <Typography.Text type="secondary">{t('ent.asOf', { date: q.data.asOf })}</Typography.Text>
      )}
      <Input.Search
        allowClear
        style={{ maxWidth: 300 }}
        onSearch={(v) => setFilter((f) => ({ ...f, q: v, page: 1 }))}
      />
      <Table<Row>
        size="small"
        rowKey="id"
        loading={q.isFetching}
        dataSource={q.data?.items ?? []}
        scroll={{ x: 640 }}
        pagination={{
          current: filter.page,
          pageSize: filter.pageSize,
          total: q.data?.total ?? 0,
          onChange: (page, pageSize) => setFilter((f) => ({ ...f, page, pageSize })),
        }}
        columns={[
          {
            title: t('ent.list'),
            fixed: 'left',
            width: 200,
            render: (_, r) => (
              <Space size={4} wrap>
                <Link to={`/enterprises/${r.id}`}>{r.name}</Link>
                {r.highRisk && <Tag color="volcano">{t('ent.highRisk')}</Tag>}
              </Space>
            ),
          },
          { title: t('ent.headcount'), dataIndex: 'headcount', width: 80 },
          {
            title: t('ent.certifiedRate'),
            width: 100,
            render: (_, r) => pct(r.certifiedRate),
          },
          { title: t('ent.trainedRate'), width: 90, render: (_, r) => pct(r.trainedRate) },
          {
            title: t('ent.overdue'),
            dataIndex: 'overdue',
            width: 70,
            render: (n: number) => (n > 0 ? <Tag color="red">{n}</Tag> : 0),
          },
          {
            title: t('ent.dueSoon'),
            dataIndex: 'dueSoon',
            width: 80,
            render: (n: number) => (n > 0 ? <Tag color="orange">{n}</Tag> : 0),
          },
        ]}
      />
    </Space>
  );
}
