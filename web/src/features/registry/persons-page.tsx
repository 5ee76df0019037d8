import { useQuery } from '@tanstack/react-query';
import {
  Card,
  Descriptions,
  Input,
  List,
  Pagination,
  Result,
  Skeleton,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { z } from 'zod';
import type {
  PersonDetailSchema,
  PersonSummarySchema,
} from '../../../../src/modules/registry/registry.contract.js';
import { hasAnyRole, useAuth } from '../../app/auth';
import { ApiError, api, type Page } from '../../lib/api-client';
import { itemLabel } from '../../lib/catalog';
import { useIsPhone } from '../../lib/use-media';
import { FacePanel } from '../faces/face-panel';
import { PersonCertificates, PersonClasses, PersonExams } from './person-records';

type PersonSummary = z.infer<typeof PersonSummarySchema>;
type PersonDetail = z.infer<typeof PersonDetailSchema>;

export function PersonsPage() {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const [q, setQ] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const list = useQuery({
    queryKey: ['persons', q, page],
    queryFn: () => api.get<Page<PersonSummary>>('/api/persons', { q, page, pageSize: 20 }),
    placeholderData: (p) => p,
  });
  const name = (p: PersonSummary) => <Link to={`/persons/${p.id}`}>{p.name}</Link>;
  return (
    <Card title={t('menu.persons')}>
      <Input.Search
        allowClear
        placeholder={t('person.searchPlaceholder')}
        onSearch={(v) => {
          setQ(v || undefined);
          setPage(1);
        }}
        style={{ maxWidth: 320, marginBottom: 12 }}
      />
      {isPhone ? (
        <>
          <List
            loading={list.isFetching}
            dataSource={list.data?.items ?? []}
            renderItem={(p) => (
              <List.Item>
                <List.Item.Meta
                  title={name(p)}
                  description={`${p.idNumberMasked} · ${t(`gender.${p.gender}`)} · ${p.birthDate}`}
                />
              </List.Item>
            )}
          />
          <Pagination
            simple
            current={page}
            pageSize={20}
            total={list.data?.total ?? 0}
            onChange={setPage}
          />
        </>
      ) : (
        <Table<PersonSummary>
          rowKey="id"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          pagination={{
            current: page,
            pageSize: 20,
            total: list.data?.total ?? 0,
            onChange: setPage,
            showTotal: (count) => t('common.total', { count }),
          }}
          columns={[
            { title: t('person.name'), key: 'name', render: (_, p) => name(p) },
            { title: t('person.idNumber'), dataIndex: 'idNumberMasked' },
            {
              title: t('person.gender'),
              dataIndex: 'gender',
              render: (g: string) => t(`gender.${g}`),
            },
            { title: t('person.birthDate'), dataIndex: 'birthDate' },
            {
              title: t('person.education'),
              dataIndex: 'education',
              render: (e: string | null) => (e ? t(`education.${e}`) : '—'),
            },
          ]}
        />
      )}
    </Card>
  );
}

/** 一人一档: one person's file across every organization. */
export function PersonDetailPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const { me } = useAuth();
  const canOpenOrganizations = hasAnyRole(
    me,
    'regulator',
    'inspector',
    'exam_authority',
    'exam_site',
    'training_institution',
    'enterprise',
  );
  const file = useQuery({
    queryKey: ['person', id],
    queryFn: () => api.get<PersonDetail>(`/api/persons/${id}`),
  });
  if (file.isLoading) return <Skeleton active />;
  if (file.error || !file.data)
    return (
      <Result
        status="404"
        title={file.error instanceof ApiError ? file.error.message : t('common.error')}
      />
    );
  const p = file.data;
  // A worker sees their own file only; organization pages are for those who manage or supervise them.
  const orgLink = (orgId: string, name: string) =>
    canOpenOrganizations ? <Link to={`/organizations/${orgId}`}>{name}</Link> : name;
  const tabs = [];
  if (p.employments.length > 0) {
    tabs.push({
      key: 'posts',
      label: t('person.posts'),
      children: (
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          scroll={{ x: true }}
          dataSource={p.employments}
          columns={[
            {
              title: t('person.organization'),
              key: 'org',
              render: (_: unknown, e: PersonDetail['employments'][number]) =>
                orgLink(e.organizationId, e.organizationName),
            },
            { title: t('person.post'), dataIndex: 'post', render: (v: string) => t(`post.${v}`) },
            {
              title: t('person.item'),
              dataIndex: 'operationItemCode',
              render: (c: string | null) => itemLabel(c),
            },
            { title: t('person.start'), dataIndex: 'startDate' },
            {
              title: t('person.end'),
              key: 'end',
              render: (_: unknown, e: PersonDetail['employments'][number]) =>
                e.endDate ? (
                  <Tag>{`${t('person.leftPost')} ${e.endDate}`}</Tag>
                ) : (
                  <Tag color="green">{t('person.onPost')}</Tag>
                ),
            },
          ]}
        />
      ),
    });
  }
  if (p.duties.length > 0) {
    tabs.push({
      key: 'duties',
      label: t('person.duties'),
      children: (
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          scroll={{ x: true }}
          dataSource={p.duties}
          columns={[
            {
              title: t('person.organization'),
              key: 'org',
              render: (_: unknown, s: PersonDetail['duties'][number]) =>
                orgLink(s.organizationId, s.organizationName),
            },
            { title: t('person.duty'), dataIndex: 'duty', render: (v: string) => t(`duty.${v}`) },
            {
              title: '',
              dataIndex: 'fullTime',
              render: (f: boolean) => (f ? t('person.fullTime') : t('person.partTime')),
            },
            {
              title: t('person.item'),
              dataIndex: 'operationItems',
              render: (items: string[]) => items.map(itemLabel).join('、'),
            },
            { title: t('person.start'), dataIndex: 'startDate' },
            { title: t('person.end'), dataIndex: 'endDate' },
          ]}
        />
      ),
    });
  }
  tabs.push(
    {
      key: 'classes',
      label: t('personFile.classes'),
      children: <PersonClasses personId={p.id} />,
    },
    { key: 'exams', label: t('personFile.exams'), children: <PersonExams personId={p.id} /> },
    {
      key: 'certificates',
      label: t('personFile.certificates'),
      children: <PersonCertificates personId={p.id} />,
    },
  );
  const canCapture = hasAnyRole(
    me,
    'regulator',
    'exam_authority',
    'exam_site',
    'training_institution',
    'enterprise',
  );
  if (canCapture || hasAnyRole(me, 'inspector')) {
    tabs.push({
      key: 'face',
      label: t('faces.tab'),
      children: <FacePanel personId={p.id} canCapture={canCapture} />,
    });
  }
  return (
    <>
      <Card title={p.name}>
        <Descriptions column={isPhone ? 1 : 3} size="small" bordered>
          <Descriptions.Item label={t('person.idNumber')}>
            <Typography.Text copyable>{p.idNumber}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('person.gender')}>
            {t(`gender.${p.gender}`)}
          </Descriptions.Item>
          <Descriptions.Item label={t('person.birthDate')}>{p.birthDate}</Descriptions.Item>
          <Descriptions.Item label={t('person.education')}>
            {p.education ? t(`education.${p.education}`) : '—'}
          </Descriptions.Item>
          {p.phone && <Descriptions.Item label={t('person.phone')}>{p.phone}</Descriptions.Item>}
        </Descriptions>
      </Card>
      {tabs.length > 0 && (
        <Card style={{ marginTop: 12 }}>
          <Tabs items={tabs} />
        </Card>
      )}
    </>
  );
}
