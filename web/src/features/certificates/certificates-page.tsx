import { KeyOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Drawer,
  Form,
  Input,
  InputNumber,
  List,
  Pagination,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { type HTMLAttributes, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { competencyCategories, listOperationItems } from '../../../../src/catalog/operations.js';
import { hasAnyRole, useAuth } from '../../app/auth';
import { ApiError, api, type Page } from '../../lib/api-client';
import { fmtDateTime } from '../../lib/beijing-time';
import { useIsPhone } from '../../lib/use-media';
import { type CertificateSummary, type FakeSignal, type Reminder, StateTag } from './shared';

const errorText = (e: unknown) => (e instanceof ApiError ? e.message : String(e));

function CertificateList() {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const [filter, setFilter] = useState<{
    q?: string;
    kind?: string;
    page: number;
    pageSize: number;
  }>({ page: 1, pageSize: 20 });
  const list = useQuery({
    queryKey: ['certificates', filter],
    queryFn: () => api.get<Page<CertificateSummary>>('/api/certificates', filter),
    placeholderData: (p) => p,
  });
  const set = (patch: Partial<typeof filter>) => setFilter((f) => ({ ...f, page: 1, ...patch }));
  const number = (c: CertificateSummary) => (
    <Link to={`/certificates/${c.id}`} data-testid="certificate-link">
      {c.number}
    </Link>
  );
  return (
    <>
      <Space wrap style={{ marginBottom: 12, width: '100%' }}>
        <Input.Search
          allowClear
          placeholder={t('certificates.searchPlaceholder')}
          onSearch={(q) => set({ q: q || undefined })}
          style={{ width: isPhone ? '100%' : 300 }}
          data-testid="certificates-search"
        />
        <Select
          allowClear
          placeholder={t('certificates.kind')}
          style={{ width: 220 }}
          onChange={(kind) => set({ kind })}
          options={(['special_operation', 'competency'] as const).map((k) => ({
            value: k,
            label: t(`verify.kinds.${k}`),
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
              <List.Item data-testid="certificate-row">
                <List.Item.Meta
                  title={
                    <Space wrap size={4}>
                      {number(c)}
                      <StateTag state={c.state} />
                    </Space>
                  }
                  description={`${c.holder.name} · ${c.operationItem.name} · ${c.issuedOn} ~ ${c.validUntil}${c.reviewDue ? ` · ${t('certificates.reviewDue')} ${c.reviewDue}` : ''}`}
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
        <Table<CertificateSummary>
          rowKey="id"
          size="small"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          onRow={() => ({ 'data-testid': 'certificate-row' }) as HTMLAttributes<HTMLElement>}
          pagination={{
            current: filter.page,
            pageSize: filter.pageSize,
            total: list.data?.total ?? 0,
            onChange: (page) => setFilter((f) => ({ ...f, page })),
            showTotal: (count) => t('common.total', { count }),
          }}
          columns={[
            { title: t('certificates.number'), key: 'number', render: (_, c) => number(c) },
            {
              title: t('certificates.holder'),
              key: 'holder',
              render: (_, c) => <Link to={`/persons/${c.holder.id}`}>{c.holder.name}</Link>,
            },
            {
              title: t('certificates.kind'),
              dataIndex: 'kind',
              render: (k: string) => t(`verify.kinds.${k}`),
            },
            { title: t('certificates.item'), key: 'item', render: (_, c) => c.operationItem.name },
            {
              title: t('certificates.authority'),
              key: 'authority',
              render: (_, c) => c.authority.name,
            },
            { title: t('certificates.issuedOn'), dataIndex: 'issuedOn' },
            { title: t('certificates.validUntil'), dataIndex: 'validUntil' },
            {
              title: t('certificates.reviewDue'),
              dataIndex: 'reviewDue',
              render: (d: string | null) => d ?? '—',
            },
            {
              title: t('certificates.state'),
              key: 'state',
              render: (_, c) => <StateTag state={c.state} since={c.stateSince} />,
            },
          ]}
        />
      )}
    </>
  );
}

function Reminders() {
  const { t } = useTranslation();
  const [withinDays, setWithinDays] = useState(60);
  const q = useQuery({
    queryKey: ['certificate-reminders', withinDays],
    queryFn: () => api.get<{ items: Reminder[] }>('/api/certificates/reminders', { withinDays }),
  });
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <InputNumber
          min={1}
          max={365}
          value={withinDays}
          onChange={(v) => setWithinDays(v ?? 60)}
          addonAfter={t('certificates.withinDays')}
        />
      </Space>
      {q.error && <Alert type="error" showIcon message={errorText(q.error)} />}
      <Table<Reminder>
        rowKey={(r) => `${r.certificate.id}-${r.kind}`}
        size="small"
        loading={q.isFetching}
        dataSource={q.data?.items ?? []}
        scroll={{ x: true }}
        pagination={{ pageSize: 50 }}
        columns={[
          { title: t('certificates.due'), dataIndex: 'due' },
          {
            title: t('certificates.daysLeft'),
            dataIndex: 'daysLeft',
            render: (d: number) => (
              <Tag color={d <= 15 ? 'red' : d <= 30 ? 'orange' : 'blue'}>{d}</Tag>
            ),
          },
          {
            title: '',
            dataIndex: 'kind',
            render: (k: string) => t(`certificates.reminderKinds.${k}`),
          },
          {
            title: t('certificates.number'),
            key: 'number',
            render: (_, r) => (
              <Link to={`/certificates/${r.certificate.id}`}>{r.certificate.number}</Link>
            ),
          },
          {
            title: t('certificates.holder'),
            key: 'holder',
            render: (_, r) => r.certificate.holder.name,
          },
          {
            title: t('certificates.item'),
            key: 'item',
            render: (_, r) => r.certificate.operationItem.name,
          },
          {
            title: t('certificates.state'),
            key: 'state',
            render: (_, r) => <StateTag state={r.certificate.state} />,
          },
        ]}
      />
    </>
  );
}

function FakeSignals() {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ['fake-signals'],
    queryFn: () => api.get<{ items: FakeSignal[] }>('/api/certificates/fake-signals'),
  });
  return (
    <>
      <Typography.Paragraph type="secondary">{t('certificates.fakeHint')}</Typography.Paragraph>
      {q.error && <Alert type="error" showIcon message={errorText(q.error)} />}
      <Table<FakeSignal>
        rowKey="ip"
        size="small"
        loading={q.isFetching}
        dataSource={q.data?.items ?? []}
        scroll={{ x: true }}
        columns={[
          { title: t('certificates.ip'), dataIndex: 'ip' },
          { title: t('certificates.queries'), dataIndex: 'queries' },
          { title: t('certificates.numbers'), dataIndex: 'numbers' },
          {
            title: t('certificates.bySource'),
            key: 'src',
            render: (_, s) => `${s.bySource.number} / ${s.bySource.qr}`,
          },
          { title: t('certificates.nameMismatches'), dataIndex: 'nameMismatches' },
          {
            title: t('certificates.examples'),
            dataIndex: 'examples',
            render: (e: string[]) => e.join('、'),
          },
          {
            title: t('certificates.lastAt'),
            dataIndex: 'lastAt',
            render: (d: string) => fmtDateTime(d),
          },
        ]}
      />
    </>
  );
}

interface IssueValues {
  personId: string;
  kind: 'special_operation' | 'competency';
  operationItemCode: string;
  issuedOn: Dayjs;
}

/** 签发: the exam authority picks a person in its jurisdiction, the item and the date. */
function IssueDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [form] = Form.useForm<IssueValues>();
  const [search, setSearch] = useState('');
  const kind = Form.useWatch('kind', form) ?? 'special_operation';
  const persons = useQuery({
    queryKey: ['persons-pick', search],
    queryFn: () =>
      api.get<Page<{ id: string; name: string; idNumberMasked: string }>>('/api/persons', {
        q: search || undefined,
        pageSize: 20,
      }),
    enabled: open,
  });
  const issue = useMutation({
    mutationFn: (v: IssueValues) =>
      api.post<{ id: string; number: string }>('/api/certificates', {
        ...v,
        issuedOn: v.issuedOn.format('YYYY-MM-DD'),
      }),
    onSuccess: (r) => {
      message.success(t('certificates.issued', { number: r.number }));
      void qc.invalidateQueries({ queryKey: ['certificates'] });
      onClose();
      navigate(`/certificates/${r.id}`);
    },
  });
  const items =
    kind === 'special_operation'
      ? listOperationItems().map((i) => ({ value: i.code, label: `${i.code} ${i.name}` }))
      : competencyCategories.map((c) => ({ value: c.code, label: c.name }));
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={t('certificates.issue')}
      width={480}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('certificates.issueHint')}</Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ kind: 'special_operation', issuedOn: dayjs() }}
        onFinish={(v) => issue.mutate(v)}
        data-testid="certificate-issue-form"
      >
        <Form.Item name="personId" label={t('certificates.person')} rules={[{ required: true }]}>
          <Select
            showSearch
            filterOption={false}
            onSearch={setSearch}
            loading={persons.isFetching}
            options={(persons.data?.items ?? []).map((p) => ({
              value: p.id,
              label: `${p.name} ${p.idNumberMasked}`,
            }))}
          />
        </Form.Item>
        <Form.Item name="kind" label={t('certificates.kind')} rules={[{ required: true }]}>
          <Select
            onChange={() => form.setFieldValue('operationItemCode', undefined)}
            options={(['special_operation', 'competency'] as const).map((k) => ({
              value: k,
              label: t(`verify.kinds.${k}`),
            }))}
          />
        </Form.Item>
        <Form.Item
          name="operationItemCode"
          label={t('certificates.item')}
          rules={[{ required: true }]}
        >
          <Select showSearch optionFilterProp="label" options={items} />
        </Form.Item>
        <Form.Item name="issuedOn" label={t('certificates.issuedOn')} rules={[{ required: true }]}>
          <DatePicker disabledDate={(d) => d.isAfter(dayjs(), 'day')} inputReadOnly />
        </Form.Item>
        {issue.error && (
          <Alert
            type="error"
            showIcon
            message={errorText(issue.error)}
            style={{ marginBottom: 12 }}
          />
        )}
        <Button type="primary" htmlType="submit" loading={issue.isPending} block>
          {t('certificates.issue')}
        </Button>
      </Form>
    </Drawer>
  );
}

/** 证书: the list in the caller's scope, reminders, and for regulators the fake-certificate signal. */
export function CertificatesPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const [issuing, setIssuing] = useState(false);
  const isAuthority = hasAnyRole(me, 'exam_authority');
  const rotate = useMutation({
    mutationFn: () => api.post<{ kid: string }>('/api/certificates/keys/rotate'),
    onSuccess: (r) => message.success(t('certificates.rotated', { kid: r.kid })),
    onError: (e) => message.error(errorText(e)),
  });
  const tabs = [
    { key: 'list', label: t('certificates.list'), children: <CertificateList /> },
    { key: 'reminders', label: t('certificates.reminders'), children: <Reminders /> },
  ];
  if (hasAnyRole(me, 'regulator'))
    tabs.push({ key: 'fake', label: t('certificates.fakeSignals'), children: <FakeSignals /> });
  return (
    <Card
      title={t('menu.certificates')}
      extra={
        isAuthority && (
          <Space wrap>
            <Button
              icon={<KeyOutlined />}
              onClick={() => rotate.mutate()}
              loading={rotate.isPending}
            >
              {t('certificates.rotateKey')}
            </Button>
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setIssuing(true)}
              data-testid="certificate-issue"
            >
              {t('certificates.issue')}
            </Button>
          </Space>
        )
      }
    >
      <Tabs items={tabs} destroyOnHidden />
      {isAuthority && <IssueDrawer open={issuing} onClose={() => setIssuing(false)} />}
    </Card>
  );
}
