import { useQuery } from '@tanstack/react-query';
import { Card, DatePicker, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Figure } from '../../../../src/catalog/figure.js';
import type { Label } from '../../../../src/catalog/labels.js';
import type {
  ResolvedFigure as CatalogResolvedFigure,
  PolicyProfile,
  ResolvedPolicy,
} from '../../../../src/catalog/policy.js';
import { useAuth } from '../../app/auth';
import { api } from '../../lib/api-client';
import { RegionPicker } from '../registry/region-picker';

/** The API returns the catalog's own types as JSON; dates and values arrive as they are in src/catalog. */
type ResolvedFigure = CatalogResolvedFigure<unknown> & { label?: Label };
type InForce = Pick<ResolvedPolicy, 'applied'> & {
  regionCode: string;
  date: string;
  figures: Record<string, ResolvedFigure>;
};
interface CatalogRow {
  group: string;
  key: string;
  label?: Label;
  figure: Figure<unknown>;
}
type Profile = Omit<PolicyProfile, 'figures'> & { builtin: boolean };

const statusColor: Record<string, string> = {
  confirmed: 'green',
  secondary: 'blue',
  seed: 'purple',
  unconfirmed: 'default',
  pending_19: 'orange',
};

/** A figure's value as a person reads it: 是/否, 大专, 40%, not true / associate / 0.4. */
function useFigureValue() {
  const { t } = useTranslation();
  return (key: string, f: { value: unknown; unit?: string }) => {
    if (f.value === null) return <Tag>{t('policy.notEnforced')}</Tag>;
    if (typeof f.value === 'boolean') return f.value ? t('common.yes') : t('common.no');
    if (key === 'managerEducationMin') return `${t(`education.${String(f.value)}`)}`;
    if (key === 'onlineTheoryShareMax') return `${Math.round(Number(f.value) * 100)}%`;
    return `${String(f.value)}${f.unit ? ` ${f.unit}` : ''}`;
  };
}

/** The policy in force for a region and date: every figure with its source, basis and profile. */
export function PoliciesPage() {
  const { t, i18n } = useTranslation();
  const shownValue = useFigureValue();
  const labelOf = (label: Label | undefined, key: string) =>
    label ? (i18n.language.startsWith('en') ? label.en : label.zh) : key;
  const { me } = useAuth();
  const [regionCode, setRegionCode] = useState<string>(me?.regionCode ?? '');
  const [date, setDate] = useState<Dayjs>(dayjs());
  const inForce = useQuery({
    queryKey: ['policy', regionCode, date.format('YYYY-MM-DD')],
    queryFn: () =>
      api.get<InForce>('/api/policies/in-force', { regionCode, date: date.format('YYYY-MM-DD') }),
  });
  const catalog = useQuery({
    queryKey: ['catalog-figures'],
    queryFn: () => api.get<{ figures: CatalogRow[] }>('/api/catalog/figures'),
  });
  const profiles = useQuery({
    queryKey: ['policy-profiles'],
    queryFn: () => api.get<{ items: Profile[] }>('/api/policy-profiles'),
  });
  const rows = Object.entries(inForce.data?.figures ?? {}).map(([key, f]) => ({ key, ...f }));
  return (
    <>
      <Card title={t('menu.policies')}>
        <Space wrap style={{ marginBottom: 12 }}>
          <RegionPicker
            placeholder={t('policy.region')}
            onChange={(c) => setRegionCode(c ?? me?.regionCode ?? '')}
            style={{ width: 260 }}
          />
          <DatePicker value={date} onChange={(d) => d && setDate(d)} allowClear={false} />
          <Typography.Text type="secondary">
            {inForce.data?.applied.map((a) => a.version).join(' → ')}
          </Typography.Text>
        </Space>
        <Table
          rowKey="key"
          size="small"
          loading={inForce.isFetching}
          pagination={false}
          scroll={{ x: true }}
          dataSource={rows}
          columns={[
            {
              title: t('policy.key'),
              key: 'label',
              render: (_: unknown, f: ResolvedFigure & { key: string }) => labelOf(f.label, f.key),
            },
            {
              title: t('policy.value'),
              key: 'value',
              render: (_: unknown, f: ResolvedFigure & { key: string }) => shownValue(f.key, f),
            },
            {
              title: t('policy.status'),
              dataIndex: 'status',
              render: (s: string) => <Tag color={statusColor[s]}>{t(`figureStatus.${s}`)}</Tag>,
            },
            {
              title: t('policy.profile'),
              dataIndex: 'fromProfile',
              render: (id: string) => profiles.data?.items.find((p) => p.id === id)?.version ?? id,
            },
            {
              title: t('policy.note'),
              dataIndex: 'note',
              render: (n: string | undefined) =>
                n ? <Typography.Text style={{ fontSize: 12 }}>{n}</Typography.Text> : null,
            },
            {
              title: t('policy.source'),
              dataIndex: 'source',
              render: (s: string) => (
                <Typography.Text style={{ fontSize: 12 }}>{s}</Typography.Text>
              ),
            },
          ]}
        />
      </Card>
      <Card title={t('policy.catalog')} style={{ marginTop: 12 }}>
        <Table<CatalogRow>
          rowKey={(r) => `${r.group}.${r.key}`}
          size="small"
          loading={catalog.isLoading}
          pagination={{ pageSize: 20 }}
          scroll={{ x: true }}
          dataSource={catalog.data?.figures ?? []}
          columns={[
            {
              title: t('policy.key'),
              key: 'key',
              render: (_: unknown, r: CatalogRow) => labelOf(r.label, `${r.group}.${r.key}`),
            },
            {
              title: t('policy.value'),
              key: 'value',
              render: (_: unknown, r: CatalogRow) => shownValue(r.key, r.figure),
            },
            {
              title: t('policy.status'),
              key: 'status',
              render: (_: unknown, r: CatalogRow) => (
                <Tag color={statusColor[r.figure.status]}>
                  {t(`figureStatus.${r.figure.status}`)}
                </Tag>
              ),
            },
            {
              title: t('policy.source'),
              key: 'source',
              render: (_: unknown, r: CatalogRow) => (
                <Typography.Text style={{ fontSize: 12 }}>{r.figure.source}</Typography.Text>
              ),
            },
          ]}
        />
      </Card>
      <Card title={t('policy.profiles')} style={{ marginTop: 12 }}>
        <Table<Profile>
          rowKey="id"
          size="small"
          pagination={false}
          scroll={{ x: true }}
          loading={profiles.isLoading}
          dataSource={profiles.data?.items ?? []}
          columns={[
            {
              title: t('policy.region'),
              dataIndex: 'regionCode',
              render: (c: string) => c || t('policy.national'),
            },
            { title: t('policy.profile'), dataIndex: 'version' },
            {
              title: t('policy.effective'),
              key: 'eff',
              render: (_, p) => `${p.effectiveFrom} ~ ${p.effectiveTo ?? ''}`,
            },
            {
              title: '',
              dataIndex: 'builtin',
              render: (b: boolean) => (b ? <Tag>{t('policy.builtin')}</Tag> : null),
            },
          ]}
        />
      </Card>
    </>
  );
}
