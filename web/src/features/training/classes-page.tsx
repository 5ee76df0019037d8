import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Input,
  List,
  Pagination,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { HTMLAttributes } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { classPhases } from '../../../../src/modules/training/classes.contract.js';
import { hasAnyRole, useAuth } from '../../app/auth';
import { api } from '../../lib/api-client';
import { itemLabel } from '../../lib/catalog';
import { useIsPhone } from '../../lib/use-media';
import { ClassCreateDrawer } from './class-create';
import { type ClassSummary, classPhaseColor, errorText } from './shared';

/** 培训班 list: an institution's own classes, a jurisdiction's classes, an enterprise's employees' classes. */
export function ClassesPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const isPhone = useIsPhone();
  const [creating, setCreating] = useState(false);
  const [filter, setFilter] = useState<{
    q?: string;
    phase?: string;
    page: number;
    pageSize: number;
  }>({ page: 1, pageSize: 20 });
  const list = useQuery({
    queryKey: ['classes', filter],
    queryFn: () => api.get<{ items: ClassSummary[]; total: number }>('/api/classes', filter),
    placeholderData: (prev) => prev,
  });
  const set = (patch: Partial<typeof filter>) => setFilter((f) => ({ ...f, page: 1, ...patch }));
  const canCreate = hasAnyRole(me, 'training_institution');
  const showOrganization = !canCreate;
  const name = (c: ClassSummary) => <Link to={`/classes/${c.id}`}>{c.name}</Link>;
  const status = (c: ClassSummary) => (
    <Tag color={classPhaseColor[c.phase]} data-testid="class-phase" data-phase={c.phase}>
      {t(`training.phases.${c.phase}`)}
    </Tag>
  );
  // The planning rules over the whole plan, as the class page lists them (违规 refuses, 提示 warns).
  const warnings = (c: ClassSummary) =>
    c.findingCounts.refuse + c.findingCounts.warn > 0 ? (
      <Space
        size={4}
        data-testid="class-findings"
        data-count={c.findingCounts.refuse + c.findingCounts.warn}
      >
        {c.findingCounts.refuse > 0 && (
          <Tag color="red">{`${t('training.findingSeverity.refuse')} ${c.findingCounts.refuse}`}</Tag>
        )}
        {c.findingCounts.warn > 0 && (
          <Tag color="orange">{`${t('training.findingSeverity.warn')} ${c.findingCounts.warn}`}</Tag>
        )}
      </Space>
    ) : null;
  const rowProps = (c: ClassSummary) =>
    ({
      'data-testid': 'class-row',
      'data-class-code': c.code,
      'data-class-id': c.id,
    }) as HTMLAttributes<HTMLElement>;
  return (
    <Card
      title={t('menu.classes')}
      extra={
        canCreate && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="class-create"
          >
            {t('training.create.button')}
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 12, width: '100%' }}>
        <Input.Search
          allowClear
          placeholder={t('training.searchPlaceholder')}
          onSearch={(q) => set({ q: q || undefined })}
          style={{ width: isPhone ? '100%' : 280 }}
        />
        <Select
          allowClear
          placeholder={t('training.status')}
          style={{ width: 140 }}
          onChange={(s) => set({ phase: s })}
          options={classPhases.map((s) => ({
            value: s,
            label: t(`training.phases.${s}`),
          }))}
        />
      </Space>
      {list.error && (
        <Alert type="error" showIcon message={errorText(list.error)} style={{ marginBottom: 12 }} />
      )}
      {isPhone ? (
        <>
          <List
            loading={list.isFetching}
            dataSource={list.data?.items ?? []}
            renderItem={(c) => (
              <List.Item {...rowProps(c)}>
                <List.Item.Meta
                  title={name(c)}
                  description={
                    <Space wrap size={4}>
                      <Typography.Text type="secondary">{c.code}</Typography.Text>
                      {status(c)}
                      <Tag>{t(`training.kinds.${c.kind}`)}</Tag>
                      <Typography.Text type="secondary">
                        {itemLabel(c.operationItemCode)}
                      </Typography.Text>
                      <Typography.Text type="secondary">{`${c.startDate} ~ ${c.endDate}`}</Typography.Text>
                      {showOrganization && (
                        <Typography.Text type="secondary">{c.organizationName}</Typography.Text>
                      )}
                      <Typography.Text type="secondary">{`${t('training.traineeCount')} ${c.traineeCount} · ${t('training.lessonCount')} ${c.lessonCount}`}</Typography.Text>
                      {warnings(c)}
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
        <Table<ClassSummary>
          rowKey="id"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          scroll={{ x: true }}
          onRow={rowProps}
          pagination={{
            current: filter.page,
            pageSize: filter.pageSize,
            total: list.data?.total ?? 0,
            showTotal: (count) => t('common.total', { count }),
            onChange: (page, pageSize) => setFilter((f) => ({ ...f, page, pageSize })),
          }}
          columns={[
            { title: t('training.code'), dataIndex: 'code' },
            { title: t('training.name'), key: 'name', render: (_, c) => name(c) },
            ...(showOrganization
              ? [{ title: t('training.organization'), dataIndex: 'organizationName' }]
              : []),
            {
              title: t('training.item'),
              dataIndex: 'operationItemCode',
              render: (c: string) => itemLabel(c),
            },
            {
              title: t('training.kind'),
              dataIndex: 'kind',
              render: (k: string) => t(`training.kinds.${k}`),
            },
            {
              title: t('training.period'),
              key: 'period',
              render: (_, c) => `${c.startDate} ~ ${c.endDate}`,
            },
            {
              title: t('training.traineeCount'),
              dataIndex: 'traineeCount',
              align: 'right' as const,
            },
            { title: t('training.lessonCount'), dataIndex: 'lessonCount', align: 'right' as const },
            {
              title: t('training.findingsColumn'),
              key: 'warnings',
              render: (_, c) => warnings(c) ?? '—',
            },
            { title: t('training.status'), key: 'status', render: (_, c) => status(c) },
          ]}
        />
      )}
      {creating && <ClassCreateDrawer onClose={() => setCreating(false)} />}
    </Card>
  );
}
