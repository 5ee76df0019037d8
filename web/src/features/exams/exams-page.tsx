import {
  DownloadOutlined,
  MinusCircleOutlined,
  PlusOutlined,
  UploadOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Empty,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
  Upload,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { competencyCategories, listOperationItems } from '../../../../src/catalog/operations.js';
import { hasAnyRole, useAuth } from '../../app/auth';
import { ApiError, api } from '../../lib/api-client';
import { PatrolPanel } from './patrol-panel';
import { errorText, fmt, type Plan } from './shared';

interface Question {
  id: string;
  itemCode: string;
  kind: 'single' | 'multiple' | 'judge';
  stem: string;
  options: string[];
  answer: number[];
  knowledgePoint: string;
  difficulty: number;
}
interface Blueprint {
  id: string;
  itemCode: string;
  name: string;
  durationMinutes: number;
  passMark: number;
  parts: { kind: string; knowledgePoint: string | null; count: number; pointsEach: number }[];
  available: number[];
}

const itemOptions = [
  ...listOperationItems().map((i) => ({ value: i.code, label: `${i.code} ${i.name}` })),
  ...competencyCategories.map((c) => ({ value: c.code, label: `${c.code} ${c.name}` })),
];

/** 考试: the exam authority's plans, question bank, blueprints and patrol; an exam site's sessions; a regulator's patrol. */
export function ExamsPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const authority = hasAnyRole(me, 'exam_authority');
  const tabs = [
    { key: 'plans', label: t('exams.plans'), children: <PlansTab authority={authority} /> },
  ];
  if (authority)
    tabs.push(
      { key: 'bank', label: t('exams.bank'), children: <BankTab /> },
      { key: 'blueprints', label: t('exams.blueprints'), children: <BlueprintsTab /> },
    );
  if (hasAnyRole(me, 'exam_authority', 'regulator'))
    tabs.push({ key: 'patrol', label: t('exams.patrol'), children: <PatrolPanel /> });
  return (
    <Card title={t('menu.exams')}>
      <Tabs items={tabs} destroyOnHidden />
    </Card>
  );
}

function PlansTab({ authority }: { authority: boolean }) {
  const { t } = useTranslation();
  const plans = useQuery({
    queryKey: ['exam-plans'],
    queryFn: () => api.get<{ items: Plan[] }>('/api/exams/plans'),
  });
  const [creating, setCreating] = useState(false);
  const [sessionFor, setSessionFor] = useState<Plan | null>(null);
  return (
    <>
      {authority && (
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setCreating(true)}
          style={{ marginBottom: 12 }}
          data-testid="plan-create"
        >
          {t('exams.newPlan')}
        </Button>
      )}
      {plans.error && <Alert type="error" showIcon message={errorText(plans.error)} />}
      <List
        loading={plans.isLoading}
        locale={{ emptyText: <Empty description={t('exams.noPlans')} /> }}
        dataSource={plans.data?.items ?? []}
        renderItem={(p) => (
          <Card
            size="small"
            style={{ marginBottom: 12 }}
            title={
              <Space wrap>
                {p.name}
                <Tag>{p.itemName}</Tag>
                <Tag color={p.status === 'open' ? 'green' : 'default'}>
                  {t(`exams.planStatus.${p.status}`)}
                </Tag>
              </Space>
            }
            extra={
              authority && (
                <Button
                  size="small"
                  icon={<PlusOutlined />}
                  onClick={() => setSessionFor(p)}
                  data-testid="session-create"
                >
                  {t('exams.newSession')}
                </Button>
              )
            }
            data-testid="plan-card"
          >
            <Table
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={p.sessions}
              scroll={{ x: true }}
              columns={[
                {
                  title: t('exams.time'),
                  render: (_, s) => `${fmt(s.startsAt)} – ${fmt(s.endsAt).slice(-5)}`,
                },
                { title: t('exams.site'), render: (_, s) => `${s.siteName} ${s.room}` },
                {
                  title: t('exams.registeredCount'),
                  render: (_, s) => `${s.registered}/${s.capacity}`,
                },
                {
                  title: t('exams.published'),
                  render: (_, s) =>
                    s.resultsPublishedAt ? (
                      <Tag color="green">{t('exams.published')}</Tag>
                    ) : s.resultsOverdue ? (
                      <Tag color="red" data-testid="results-overdue">
                        {t('exams.resultsOverdue', { date: s.resultsDueOn })}
                      </Tag>
                    ) : (
                      <Typography.Text type="secondary">
                        {t('exams.resultsDue', { date: s.resultsDueOn })}
                      </Typography.Text>
                    ),
                },
                {
                  title: '',
                  render: (_, s) => (
                    <Link to={`/exams/sessions/${s.id}`} data-testid="session-link">
                      {t('exams.openSession')}
                    </Link>
                  ),
                },
              ]}
            />
          </Card>
        )}
      />
      {creating && <PlanModal onClose={() => setCreating(false)} />}
      {sessionFor && <SessionModal plan={sessionFor} onClose={() => setSessionFor(null)} />}
    </>
  );
}

function PlanModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const blueprints = useQuery({
    queryKey: ['blueprints'],
    queryFn: () => api.get<{ items: Blueprint[] }>('/api/exams/blueprints'),
  });
  const create = useMutation({
    mutationFn: (v: {
      certificateKind: string;
      itemCode: string;
      name: string;
      blueprintId: string;
    }) => api.post('/api/exams/plans', v),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['exam-plans'] });
      onClose();
    },
  });
  const item = Form.useWatch('itemCode', form);
  return (
    <Modal
      open
      title={t('exams.newPlan')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={create.isPending}
    >
      {create.error && (
        <Alert
          type="error"
          showIcon
          message={errorText(create.error)}
          style={{ marginBottom: 12 }}
        />
      )}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ certificateKind: 'special_operation' }}
        onFinish={(v) => create.mutate(v)}
      >
        <Form.Item
          name="certificateKind"
          label={t('exams.certificateKind')}
          rules={[{ required: true }]}
        >
          <Select
            options={(['special_operation', 'competency'] as const).map((k) => ({
              value: k,
              label: t(`verify.kinds.${k}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="itemCode" label={t('exams.item')} rules={[{ required: true }]}>
          <Select showSearch optionFilterProp="label" options={itemOptions} />
        </Form.Item>
        <Form.Item name="name" label={t('exams.planName')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="blueprintId" label={t('exams.blueprint')} rules={[{ required: true }]}>
          <Select
            options={(blueprints.data?.items ?? [])
              .filter((b) => !item || b.itemCode === item)
              .map((b) => ({ value: b.id, label: `${b.itemCode} ${b.name}` }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function SessionModal({ plan, onClose }: { plan: Plan; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const sites = useQuery({
    queryKey: ['exam-sites'],
    queryFn: () =>
      api.get<{ items: { id: string; name: string; status: string }[] }>('/api/organizations', {
        kind: 'exam_site',
        pageSize: 200,
      }),
  });
  const siteId = Form.useWatch('siteId', form);
  const site = useQuery({
    queryKey: ['org', siteId],
    enabled: !!siteId,
    queryFn: () =>
      api.get<{
        staff: { personId: string; personName: string; duty: string; endDate: string | null }[];
      }>(`/api/organizations/${siteId}`),
  });
  const staffOf = (duty: string) =>
    (site.data?.staff ?? [])
      .filter((s) => s.duty === duty && !s.endDate)
      .map((s) => ({ value: s.personId, label: s.personName }));
  const create = useMutation({
    mutationFn: (v: {
      siteId: string;
      room: string;
      window: [Dayjs, Dayjs];
      capacity: number;
      invigilatorIds: string[];
      examinerIds?: string[];
    }) =>
      api.post(`/api/exams/plans/${plan.id}/sessions`, {
        siteId: v.siteId,
        room: v.room,
        startsAt: v.window[0].toISOString(),
        endsAt: v.window[1].toISOString(),
        capacity: v.capacity,
        invigilatorIds: v.invigilatorIds,
        examinerIds: v.examinerIds ?? [],
      }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['exam-plans'] });
      onClose();
    },
  });
  const details = create.error instanceof ApiError ? create.error.details : [];
  return (
    <Modal
      open
      title={`${t('exams.newSession')} · ${plan.name}`}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={create.isPending}
      width={640}
    >
      {create.error && (
        <Alert
          type="error"
          showIcon
          message={errorText(create.error)}
          description={
            details.length > 1
              ? details.map((d) => <div key={`${d.path}${d.message}`}>{d.message}</div>)
              : undefined
          }
          style={{ marginBottom: 12 }}
          data-testid="session-refused"
        />
      )}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ capacity: 30, room: '第一考场' }}
        onFinish={(v) => create.mutate(v)}
      >
        <Form.Item name="siteId" label={t('exams.site')} rules={[{ required: true }]}>
          <Select
            options={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
          />
        </Form.Item>
        <Form.Item name="room" label={t('exams.room')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="window" label={t('exams.time')} rules={[{ required: true }]}>
          <DatePicker.RangePicker
            showTime={{ format: 'HH:mm' }}
            format="YYYY-MM-DD HH:mm"
            style={{ width: '100%' }}
          />
        </Form.Item>
        <Form.Item name="capacity" label={t('exams.capacity')} rules={[{ required: true }]}>
          <InputNumber min={1} max={500} />
        </Form.Item>
        <Form.Item
          name="invigilatorIds"
          label={t('exams.invigilators')}
          rules={[{ required: true }]}
        >
          <Select mode="multiple" options={staffOf('invigilator')} />
        </Form.Item>
        {plan.certificateKind === 'special_operation' && (
          <Form.Item name="examinerIds" label={t('exams.examiners')} rules={[{ required: true }]}>
            <Select mode="multiple" options={staffOf('examiner')} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function BankTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [filter, setFilter] = useState<{
    itemCode?: string;
    kind?: string;
    q?: string;
    page: number;
    pageSize: number;
  }>({ page: 1, pageSize: 20 });
  const list = useQuery({
    queryKey: ['questions', filter],
    queryFn: () =>
      api.get<{
        items: Question[];
        total: number;
        knowledgePoints: { itemCode: string; knowledgePoint: string; kind: string; n: number }[];
      }>('/api/exams/questions', filter),
    placeholderData: (p) => p,
  });
  const upload = useMutation({
    mutationFn: async (file: File) => {
      const bytes = new Uint8Array(await file.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000)
        binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return api.post<{ created: number; updated: number; total: number }>(
        '/api/exams/questions/import',
        { fileName: file.name, file: btoa(binary) },
      );
    },
    onSuccess: (r) => {
      message.success(t('exams.imported', r));
      void qc.invalidateQueries({ queryKey: ['questions'] });
    },
  });
  const errors = upload.error instanceof ApiError ? upload.error.details : [];
  const LETTERS = 'ABCDEFGH';
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Upload
          accept=".xlsx"
          showUploadList={false}
          beforeUpload={(f) => {
            upload.mutate(f);
            return false;
          }}
        >
          <Button
            type="primary"
            icon={<UploadOutlined />}
            loading={upload.isPending}
            data-testid="bank-import"
          >
            {t('exams.import')}
          </Button>
        </Upload>
        <Button icon={<DownloadOutlined />} href="/api/exams/questions/template.xlsx">
          {t('exams.template')}
        </Button>
        <Button
          icon={<DownloadOutlined />}
          href={`/api/exams/questions/export.xlsx${filter.itemCode ? `?itemCode=${filter.itemCode}` : ''}`}
        >
          {t('exams.export')}
        </Button>
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder={t('exams.item')}
          style={{ width: 220 }}
          options={itemOptions}
          onChange={(itemCode) => setFilter((f) => ({ ...f, itemCode, page: 1 }))}
        />
        <Select
          allowClear
          placeholder={t('exams.kind')}
          style={{ width: 120 }}
          options={(['single', 'multiple', 'judge'] as const).map((k) => ({
            value: k,
            label: t(`exams.kinds.${k}`),
          }))}
          onChange={(kind) => setFilter((f) => ({ ...f, kind, page: 1 }))}
        />
        <Input.Search
          allowClear
          placeholder={t('exams.searchStem')}
          onSearch={(q) => setFilter((f) => ({ ...f, q: q || undefined, page: 1 }))}
          style={{ width: 200 }}
        />
      </Space>
      {upload.error && (
        <Alert
          type="error"
          showIcon
          message={errorText(upload.error)}
          description={
            errors.length > 0 && (
              <ul
                style={{ maxHeight: 200, overflow: 'auto', margin: 0 }}
                data-testid="import-errors"
              >
                {errors.map((d) => (
                  <li key={`${d.path}-${d.message}`}>{d.message}</li>
                ))}
              </ul>
            )
          }
          style={{ marginBottom: 12 }}
        />
      )}
      <Table
        size="small"
        rowKey="id"
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        scroll={{ x: true }}
        pagination={{
          current: filter.page,
          pageSize: filter.pageSize,
          total: list.data?.total ?? 0,
          onChange: (page, pageSize) => setFilter((f) => ({ ...f, page, pageSize })),
        }}
        columns={[
          { title: t('exams.item'), dataIndex: 'itemCode', width: 70 },
          { title: t('exams.kind'), render: (_, q) => t(`exams.kinds.${q.kind}`), width: 70 },
          {
            title: t('exams.stem'),
            render: (_, q) => (
              <Typography.Text ellipsis={{ tooltip: q.stem }} style={{ maxWidth: 420 }}>
                {q.stem}
              </Typography.Text>
            ),
          },
          {
            title: t('exams.answer'),
            render: (_, q) =>
              q.kind === 'judge'
                ? q.options[q.answer[0]]
                : q.answer.map((i) => LETTERS[i]).join(''),
            width: 70,
          },
          { title: t('exams.knowledgePoint'), dataIndex: 'knowledgePoint', width: 120 },
          { title: t('exams.difficulty'), dataIndex: 'difficulty', width: 60 },
        ]}
      />
    </>
  );
}

function BlueprintsTab() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const list = useQuery({
    queryKey: ['blueprints'],
    queryFn: () => api.get<{ items: Blueprint[] }>('/api/exams/blueprints'),
  });
  const create = useMutation({
    mutationFn: (v: {
      itemCode: string;
      name: string;
      parts: { kind: string; knowledgePoint?: string; count: number; pointsEach: number }[];
    }) =>
      api.post('/api/exams/blueprints', {
        ...v,
        parts: v.parts.map((p) => ({ ...p, knowledgePoint: p.knowledgePoint || null })),
      }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['blueprints'] });
      form.resetFields();
    },
  });
  const parts = (Form.useWatch('parts', form) ?? []) as { count?: number; pointsEach?: number }[];
  const total = parts.reduce((n, p) => n + (p?.count ?? 0) * (p?.pointsEach ?? 0), 0);
  const details = create.error instanceof ApiError ? create.error.details : [];
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <List
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        renderItem={(b) => (
          <List.Item>
            <List.Item.Meta
              title={`${b.itemCode} ${b.name}（${b.durationMinutes} ${t('exams.minutes')}，${t('exams.passMark')} ${b.passMark}）`}
              description={b.parts.map((p, i) => (
                <Tag
                  key={`${p.kind}·${p.knowledgePoint}·${p.count}·${p.pointsEach}`}
                  color={b.available[i] < p.count ? 'red' : undefined}
                >
                  {t(`exams.kinds.${p.kind}`)}
                  {p.knowledgePoint ? `·${p.knowledgePoint}` : ''} {p.count}×{p.pointsEach}（
                  {t('exams.inBank', { n: b.available[i] })}）
                </Tag>
              ))}
            />
          </List.Item>
        )}
      />
      <Card size="small" title={t('exams.newBlueprint')}>
        {create.error && (
          <Alert
            type="error"
            showIcon
            message={errorText(create.error)}
            description={details.map((d) => <div key={`${d.path}${d.message}`}>{d.message}</div>)}
            style={{ marginBottom: 12 }}
          />
        )}
        <Form
          form={form}
          layout="vertical"
          initialValues={{
            parts: [
              { kind: 'judge', count: 20, pointsEach: 1 },
              { kind: 'single', count: 40, pointsEach: 1 },
              { kind: 'multiple', count: 10, pointsEach: 4 },
            ],
          }}
          onFinish={(v) => create.mutate(v)}
        >
          <Space wrap>
            <Form.Item name="itemCode" label={t('exams.item')} rules={[{ required: true }]}>
              <Select
                showSearch
                optionFilterProp="label"
                options={itemOptions}
                style={{ width: 240 }}
              />
            </Form.Item>
            <Form.Item name="name" label={t('exams.blueprintName')} rules={[{ required: true }]}>
              <Input style={{ width: 240 }} />
            </Form.Item>
          </Space>
          <Form.List name="parts">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Space key={f.key} wrap align="baseline">
                    <Form.Item name={[f.name, 'kind']} rules={[{ required: true }]}>
                      <Select
                        style={{ width: 100 }}
                        options={(['single', 'multiple', 'judge'] as const).map((k) => ({
                          value: k,
                          label: t(`exams.kinds.${k}`),
                        }))}
                      />
                    </Form.Item>
                    <Form.Item name={[f.name, 'knowledgePoint']}>
                      <Input placeholder={t('exams.anyKnowledgePoint')} style={{ width: 140 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'count']} rules={[{ required: true }]}>
                      <InputNumber
                        min={1}
                        addonAfter={t('exams.questionsUnit')}
                        style={{ width: 120 }}
                      />
                    </Form.Item>
                    <Form.Item name={[f.name, 'pointsEach']} rules={[{ required: true }]}>
                      <InputNumber
                        min={0.5}
                        step={0.5}
                        addonAfter={t('exams.points')}
                        style={{ width: 110 }}
                      />
                    </Form.Item>
                    <MinusCircleOutlined onClick={() => remove(f.name)} />
                  </Space>
                ))}
                <Space>
                  <Button
                    onClick={() => add({ kind: 'single', count: 10, pointsEach: 1 })}
                    icon={<PlusOutlined />}
                  >
                    {t('exams.addPart')}
                  </Button>
                  <Typography.Text type={total === 100 ? 'success' : 'danger'}>
                    {t('exams.total', { total })}
                  </Typography.Text>
                </Space>
              </>
            )}
          </Form.List>
          <Button
            type="primary"
            htmlType="submit"
            loading={create.isPending}
            style={{ marginTop: 12 }}
          >
            {t('exams.save')}
          </Button>
        </Form>
      </Card>
    </Space>
  );
}
