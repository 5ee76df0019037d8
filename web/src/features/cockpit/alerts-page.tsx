import { useQuery } from '@tanstack/react-query';
import {
  Alert as AntAlert,
  Button,
  Card,
  DatePicker,
  Input,
  List,
  Pagination,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { detectionRuleIds } from '../../../../src/catalog/findings.js';
import { api } from '../../lib/api-client';
import { useIsPhone } from '../../lib/use-media';
import { errorText } from '../training/shared';
import { type Alert, SeverityTag, StateTag, useRuleName } from './shared';

const filterKeys = [
  'rule',
  'severity',
  'state',
  'regionCode',
  'organizationId',
  'since',
  'until',
  'q',
] as const;

/** 预警 list: the filters live in the URL, so every number on the cockpit is a link to its alerts. */
export function AlertsPage() {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const ruleName = useRuleName();
  const [params, setParams] = useSearchParams();
  const filter = Object.fromEntries(
    filterKeys.flatMap((k) => (params.get(k) ? [[k, params.get(k) as string]] : [])),
  ) as Partial<Record<(typeof filterKeys)[number], string>>;
  const page = Number(params.get('page') ?? '1') || 1;
  const pageSize = Number(params.get('pageSize') ?? '20') || 20;
  const list = useQuery({
    queryKey: ['alerts', filter, page, pageSize],
    queryFn: () =>
      api.get<{ items: Alert[]; total: number }>('/api/alerts', { ...filter, page, pageSize }),
    placeholderData: (prev) => prev,
  });
  const set = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!('page' in patch)) next.delete('page');
    setParams(next);
  };
  const summary = (a: Alert) => (
    <Link to={`/alerts/${a.id}`} data-testid="alert-link">
      {a.summary}
    </Link>
  );
  const organization = (a: Alert) =>
    a.subject.id ? (
      <Link to={`/organizations/${a.subject.id}`}>{a.subject.name ?? ''}</Link>
    ) : (
      (a.subject.name ?? '')
    );

  return (
    <Card title={t('cockpit.alerts.title')} data-testid="alerts-page">
      <Space wrap style={{ marginBottom: 12, width: '100%' }}>
        <Select
          allowClear
          placeholder={t('cockpit.alerts.rule')}
          value={filter.rule}
          style={{ width: isPhone ? '100%' : 280 }}
          onChange={(v) => set({ rule: v })}
          options={detectionRuleIds.map((r) => ({ value: r, label: ruleName(r) }))}
          data-testid="filter-rule"
        />
        <Select
          allowClear
          placeholder={t('cockpit.alerts.severity')}
          value={filter.severity}
          style={{ width: 110 }}
          onChange={(v) => set({ severity: v })}
          options={(['serious', 'warning', 'notice'] as const).map((s) => ({
            value: s,
            label: t(`cockpit.severity.${s}`),
          }))}
        />
        <Select
          allowClear
          placeholder={t('cockpit.alerts.state')}
          value={filter.state}
          style={{ width: 130 }}
          onChange={(v) => set({ state: v })}
          options={(['open', 'new', 'acknowledged', 'dismissed', 'finding'] as const).map((s) => ({
            value: s,
            label: t(`cockpit.alerts.states.${s}`),
          }))}
        />
        <DatePicker.RangePicker
          allowEmpty={[true, true]}
          placeholder={[t('cockpit.alerts.since'), t('cockpit.alerts.until')]}
          value={[
            filter.since ? dayjs(filter.since) : null,
            filter.until ? dayjs(filter.until) : null,
          ]}
          onChange={(v) =>
            set({
              since: v?.[0] ? v[0].format('YYYY-MM-DD') : undefined,
              until: v?.[1] ? v[1].format('YYYY-MM-DD') : undefined,
            })
          }
          style={{ width: isPhone ? '100%' : 260 }}
        />
        <Input.Search
          allowClear
          defaultValue={filter.q}
          placeholder={t('cockpit.alerts.search')}
          onSearch={(q) => set({ q: q || undefined })}
          style={{ width: isPhone ? '100%' : 220 }}
        />
        {Object.keys(filter).length > 0 && (
          <Button onClick={() => setParams(new URLSearchParams())}>
            {t('cockpit.alerts.clearFilters')}
          </Button>
        )}
      </Space>
      {(filter.regionCode || filter.organizationId) && (
        <Typography.Paragraph type="secondary">
          {[
            filter.regionCode && `${t('cockpit.region')} ${filter.regionCode}`,
            filter.organizationId &&
              `${t('cockpit.alerts.organization')} ${list.data?.items[0]?.subject.name ?? ''}`,
          ]
            .filter(Boolean)
            .join(' · ')}
        </Typography.Paragraph>
      )}
      {list.error && (
        <AntAlert
          type="error"
          showIcon
          message={errorText(list.error)}
          style={{ marginBottom: 12 }}
        />
      )}
      {isPhone ? (
        <>
          <List
            loading={list.isFetching}
            dataSource={list.data?.items ?? []}
            renderItem={(a) => (
              <List.Item data-testid="alert-row">
                <List.Item.Meta
                  title={summary(a)}
                  description={
                    <Space wrap size={4}>
                      <SeverityTag severity={a.severity} />
                      <StateTag state={a.state} />
                      <Typography.Text type="secondary">{ruleName(a.rule)}</Typography.Text>
                      <Typography.Text type="secondary">{a.occurredOn ?? ''}</Typography.Text>
                      {organization(a)}
                    </Space>
                  }
                />
              </List.Item>
            )}
          />
          <Pagination
            simple
            current={page}
            pageSize={pageSize}
            total={list.data?.total ?? 0}
            onChange={(p) => set({ page: String(p) })}
          />
        </>
      ) : (
        <Table
          rowKey="id"
          size="small"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          onRow={() => ({ 'data-testid': 'alert-row' }) as React.HTMLAttributes<HTMLElement>}
          pagination={{
            current: page,
            pageSize,
            total: list.data?.total ?? 0,
            showTotal: (n) => t('common.total', { count: n }),
            onChange: (p, s) => set({ page: String(p), pageSize: String(s) }),
          }}
          columns={[
            {
              title: t('cockpit.alerts.severity'),
              dataIndex: 'severity',
              width: 80,
              render: (_: unknown, a) => <SeverityTag severity={a.severity} />,
            },
            {
              title: t('cockpit.alerts.rule'),
              dataIndex: 'rule',
              width: 220,
              render: (_: unknown, a) => ruleName(a.rule),
            },
            {
              title: t('cockpit.alerts.summary'),
              dataIndex: 'summary',
              render: (_, a) => summary(a),
            },
            {
              title: t('cockpit.alerts.subject'),
              dataIndex: 'subject',
              width: 200,
              render: (_: unknown, a) => organization(a),
            },
            { title: t('cockpit.alerts.occurredOn'), dataIndex: 'occurredOn', width: 110 },
            {
              title: t('cockpit.alerts.state'),
              dataIndex: 'state',
              width: 100,
              render: (_: unknown, a) => <StateTag state={a.state} />,
            },
          ]}
        />
      )}
    </Card>
  );
}
