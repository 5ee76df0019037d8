import { useQuery } from '@tanstack/react-query';
import {
  Card,
  Input,
  List,
  Pagination,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import {
  type OrganizationSummary,
  organizationKinds,
  organizationStatuses,
} from '../../../../src/modules/registry/registry.contract.js';
import { api, type Page } from '../../lib/api-client';
import { useIsPhone } from '../../lib/use-media';
import { RegionPicker } from './region-picker';

export const statusColor: Record<string, string> = {
  active: 'green',
  suspended: 'orange',
  exited: 'default',
};

/**
 * What the list shows first: the AQ 8011 registration check of a training institution (passed or how
 * many conditions fail) and an exam site run by a training institution (培考不分), with the reason on hover.
 */
export function ProblemTags({
  o,
}: {
  o: Pick<OrganizationSummary, 'registrationPassed' | 'problems'>;
}) {
  const { t } = useTranslation();
  const problems = o.problems ?? [];
  return (
    <Space size={4} wrap data-testid="org-problems">
      {o.registrationPassed === true && problems.length === 0 && (
        <Tag color="green" data-problem="none">
          {t('org.checkOk')}
        </Tag>
      )}
      {problems.map((p) => (
        <Tooltip key={p.code} title={p.message}>
          <Tag color="red" data-problem={p.code}>
            {p.code === 'registration_check_failed'
              ? t('org.checkFailedTag', { count: p.count ?? 0 })
              : t('org.separationBroken')}
          </Tag>
        </Tooltip>
      ))}
    </Space>
  );
}

export function OrganizationsPage() {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const [filter, setFilter] = useState<{
    q?: string;
    kind?: string;
    status?: string;
    regionCode?: string;
    highRisk?: string;
    page: number;
    pageSize: number;
  }>({ page: 1, pageSize: 20 });
  const list = useQuery({
    queryKey: ['organizations', filter],
    queryFn: () => api.get<Page<OrganizationSummary>>('/api/organizations', filter),
    placeholderData: (prev) => prev,
  });
  const set = (patch: Partial<typeof filter>) => setFilter((f) => ({ ...f, page: 1, ...patch }));
  const name = (o: OrganizationSummary) => <Link to={`/organizations/${o.id}`}>{o.name}</Link>;
  const status = (o: OrganizationSummary) => (
    <Tag color={statusColor[o.status]}>{t(`status.${o.status}`)}</Tag>
  );
  return (
    <Card title={t('menu.organizations')}>
      <Space wrap style={{ marginBottom: 12, width: '100%' }}>
        <Input.Search
          allowClear
          placeholder={t('org.searchPlaceholder')}
          onSearch={(q) => set({ q })}
          style={{ width: isPhone ? '100%' : 240 }}
        />
        <Select
          allowClear
          placeholder={t('org.kind')}
          style={{ width: 150 }}
          onChange={(kind) => set({ kind })}
          options={organizationKinds.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
        />
        <Select
          allowClear
          placeholder={t('org.status')}
          style={{ width: 120 }}
          onChange={(status) => set({ status })}
          options={organizationStatuses.map((s) => ({ value: s, label: t(`status.${s}`) }))}
        />
        <Select
          allowClear
          placeholder={t('org.highRisk')}
          style={{ width: 120 }}
          onChange={(highRisk) => set({ highRisk })}
          options={[
            { value: 'true', label: t('common.yes') },
            { value: 'false', label: t('common.no') },
          ]}
        />
        <RegionPicker
          placeholder={t('org.region')}
          onChange={(regionCode) => set({ regionCode })}
          style={{ width: isPhone ? '100%' : 260 }}
        />
      </Space>
      {isPhone ? (
        <>
          <List
            loading={list.isFetching}
            dataSource={list.data?.items ?? []}
            renderItem={(o) => (
              <List.Item>
                <List.Item.Meta
                  title={name(o)}
                  description={
                    <Space wrap size={4}>
                      <Tag>{t(`kind.${o.kind}`)}</Tag>
                      {status(o)}
                      {o.highRisk && <Tag color="red">{t('org.highRisk')}</Tag>}
                      <ProblemTags o={o} />
                      <Typography.Text type="secondary">{o.regionName}</Typography.Text>
                    </Space>
                  }
                />
              </List.Item>
            )}
          />
          <Pagination
            simple
            current={filter.page}
            pageSize={filter.pageSize}
            total={list.data?.total ?? 0}
            onChange={(page) => setFilter((f) => ({ ...f, page }))}
          />
        </>
      ) : (
        <Table<OrganizationSummary>
          rowKey="id"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          pagination={{
            current: filter.page,
            pageSize: filter.pageSize,
            total: list.data?.total ?? 0,
            showTotal: (count) => t('common.total', { count }),
            onChange: (page, pageSize) => setFilter((f) => ({ ...f, page, pageSize })),
          }}
          columns={[
            { title: t('org.name'), key: 'name', render: (_, o) => name(o) },
            { title: t('org.kind'), dataIndex: 'kind', render: (k: string) => t(`kind.${k}`) },
            {
              title: t('org.creditCode'),
              dataIndex: 'creditCode',
              render: (c: string) => <Typography.Text copyable={{ text: c }}>{c}</Typography.Text>,
            },
            { title: t('org.region'), dataIndex: 'regionName' },
            {
              title: t('org.industry'),
              key: 'industry',
              render: (_, o) =>
                o.industry ? (
                  <Space size={4}>
                    {t(`industry.${o.industry}`)}
                    {o.highRisk && <Tag color="red">{t('org.highRisk')}</Tag>}
                  </Space>
                ) : null,
            },
            { title: t('org.status'), key: 'status', render: (_, o) => status(o) },
            { title: t('org.problems'), key: 'problems', render: (_, o) => <ProblemTags o={o} /> },
          ]}
        />
      )}
    </Card>
  );
}
