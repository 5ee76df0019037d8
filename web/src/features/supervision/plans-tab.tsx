import { LeftOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { hasAnyRole, useAuth } from '../../app/auth';
import { api } from '../../lib/api-client';
import { beijingToday, errorText, fmtTime, type Inspection, InspectionStatusTag } from './shared';

const subjectKinds = ['training_institution', 'exam_site', 'enterprise', 'exam_authority'] as const;

interface Plan {
  id: string;
  year: number;
  name: string;
  subjectKinds: string[];
  targetCount: number;
  regulatorName: string;
  inspections: number;
  done: number;
  notes: string | null;
}
interface Draw {
  id: string;
  seed: string;
  algorithm: string;
  params: {
    regionCode: string;
    subjectKinds: string[];
    count: number;
    perTarget: number;
    scheduledOn: string;
  };
  result: {
    targets: { id: string; name: string; kind: string; weight: number; weightReason: string }[];
    assignments: {
      targetId: string;
      inspectorPersonIds: string[];
      excluded: { personId: string; reason: string }[];
      understaffed?: boolean;
    }[];
  };
  drawnAt: string;
  drawnBy: string;
}
interface PlanDetail extends Omit<Plan, 'inspections'> {
  draws: Draw[];
  inspections: Inspection[];
}

export function InspectionsTable({ rows, loading }: { rows: Inspection[]; loading?: boolean }) {
  const { t } = useTranslation();
  return (
    <Table
      rowKey="id"
      size="small"
      loading={loading}
      dataSource={rows}
      scroll={{ x: 'max-content' }}
      pagination={{ pageSize: 20 }}
      columns={[
        { title: t('sv.scheduledOn'), dataIndex: 'scheduledOn' },
        {
          title: t('sv.order.organization'),
          dataIndex: 'organizationName',
          render: (v: string, r) => <Link to={`/inspect/${r.id}`}>{v}</Link>,
        },
        {
          title: t('org.kind'),
          dataIndex: 'organizationKind',
          render: (k: string) => t(`kind.${k}`),
        },
        {
          title: t('sv.inspectors'),
          dataIndex: 'inspectors',
          render: (x: Inspection['inspectors']) => x.map((p) => p.name).join('、'),
        },
        {
          title: t('org.status'),
          dataIndex: 'status',
          render: (s: string) => <InspectionStatusTag status={s} />,
        },
      ]}
    />
  );
}

export function PlansTab() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const q = useQuery({
    queryKey: ['sv-plans'],
    queryFn: () => api.get<Plan[]>('/api/supervision/plans'),
  });
  const create = useMutation({
    mutationFn: (body: unknown) => api.post('/api/supervision/plans', body),
    onSuccess: () => {
      setOpen(false);
      form.resetFields();
      void qc.invalidateQueries({ queryKey: ['sv-plans'] });
    },
    onError: (e) => message.error(errorText(e)),
  });
  const isRegulator = hasAnyRole(me!, 'regulator');
  return (
    <div>
      {isRegulator && (
        <Button
          icon={<PlusOutlined />}
          type="primary"
          style={{ marginBottom: 8 }}
          onClick={() => setOpen(true)}
        >
          {t('sv.plan.new')}
        </Button>
      )}
      <Table
        rowKey="id"
        size="small"
        loading={q.isLoading}
        dataSource={q.data ?? []}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('sv.plan.noPlans') }}
        columns={[
          { title: t('sv.plan.year'), dataIndex: 'year' },
          {
            title: t('sv.plan.name'),
            dataIndex: 'name',
            render: (v: string, p) => <Link to={`/supervision/plans/${p.id}`}>{v}</Link>,
          },
          {
            title: t('sv.plan.kinds'),
            dataIndex: 'subjectKinds',
            render: (ks: string[]) => ks.map((k) => <Tag key={k}>{t(`kind.${k}`)}</Tag>),
          },
          { title: t('sv.plan.target'), dataIndex: 'targetCount' },
          {
            title: t('sv.plan.inspections'),
            render: (_: unknown, p) => `${p.inspections}/${p.done}`,
          },
        ]}
      />
      <Modal
        open={open}
        title={t('sv.plan.new')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        confirmLoading={create.isPending}
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{
            year: Number(beijingToday().slice(0, 4)),
            subjectKinds: ['training_institution'],
            targetCount: 10,
          }}
          onFinish={(v) => create.mutate(v)}
        >
          <Form.Item name="year" label={t('sv.plan.year')} rules={[{ required: true }]}>
            <InputNumber min={2000} max={2100} />
          </Form.Item>
          <Form.Item name="name" label={t('sv.plan.name')} rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="subjectKinds" label={t('sv.plan.kinds')} rules={[{ required: true }]}>
            <Checkbox.Group
              options={subjectKinds.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
            />
          </Form.Item>
          <Form.Item name="targetCount" label={t('sv.plan.target')} rules={[{ required: true }]}>
            <InputNumber min={0} />
          </Form.Item>
          <Form.Item name="notes" label={t('sv.note')}>
            <Input.TextArea />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}

function DrawCard({ d, names }: { d: Draw; names: Map<string, string> }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [check, setCheck] = useState<boolean | null>(null);
  return (
    <Card
      size="small"
      style={{ marginBottom: 8 }}
      data-testid="draw"
      title={
        <Space wrap size={4}>
          <span>{fmtTime(d.drawnAt)}</span>
          <span>{d.drawnBy}</span>
        </Space>
      }
      extra={
        <Button
          size="small"
          icon={<ReloadOutlined />}
          onClick={async () => {
            try {
              const r = await api.post<{ same: boolean }>(`/api/supervision/draws/${d.id}/rerun`);
              setCheck(r.same);
            } catch (e) {
              message.error(errorText(e));
            }
          }}
        >
          {t('sv.plan.rerun')}
        </Button>
      }
    >
      <Descriptions size="small" column={{ xs: 1, sm: 2 }}>
        <Descriptions.Item label={t('sv.plan.seed')}>
          <Typography.Text code copyable data-testid="draw-seed">
            {d.seed}
          </Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('sv.plan.algorithm')}>{d.algorithm}</Descriptions.Item>
        <Descriptions.Item label={t('sv.scheduledOn')}>{d.params.scheduledOn}</Descriptions.Item>
        <Descriptions.Item label={t('sv.plan.count')}>
          {d.params.count} × {d.params.perTarget}
        </Descriptions.Item>
      </Descriptions>
      {check !== null && (
        <Alert
          data-testid="rerun-result"
          data-same={String(check)}
          type={check ? 'success' : 'error'}
          showIcon
          style={{ marginBottom: 8 }}
          message={t(check ? 'sv.plan.rerunSame' : 'sv.plan.rerunDiff')}
        />
      )}
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={d.result.targets}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('sv.plan.targets'), dataIndex: 'name' },
          {
            title: t('sv.plan.weight'),
            dataIndex: 'weight',
            render: (w: number, r) => `${w}（${r.weightReason}）`,
          },
          {
            title: t('sv.inspectors'),
            render: (_: unknown, r) => {
              const a = d.result.assignments.find((x) => x.targetId === r.id);
              if (!a) return null;
              return (
                <Space direction="vertical" size={0}>
                  <span>
                    {a.inspectorPersonIds.map((p) => names.get(p) ?? p.slice(0, 8)).join('、')}
                  </span>
                  {a.understaffed && <Tag color="red">{t('sv.plan.understaffed')}</Tag>}
                  {a.excluded.map((x) => (
                    <Typography.Text key={x.personId} type="secondary" style={{ fontSize: 12 }}>
                      {t('sv.plan.excluded')}：{names.get(x.personId) ?? ''} {x.reason}
                    </Typography.Text>
                  ))}
                </Space>
              );
            },
          },
        ]}
      />
    </Card>
  );
}

/** One plan: its draws (seed shown, re-run check), a new draw, the inspections it scheduled. */
export function PlanPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { me } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const q = useQuery({
    queryKey: ['sv-plan', id],
    queryFn: () => api.get<PlanDetail>(`/api/supervision/plans/${id}`),
  });
  const inspectors = useQuery({
    queryKey: ['sv-inspectors'],
    queryFn: () => api.get<{ personId: string; name: string }[]>('/api/supervision/inspectors'),
  });
  const draw = useMutation({
    mutationFn: (v: {
      count: number;
      inspectorsPerTarget: number;
      scheduledOn: dayjs.Dayjs;
      seed?: string;
      subjectKinds?: string[];
    }) =>
      api.post(`/api/supervision/plans/${id}/draws`, {
        count: v.count,
        inspectorsPerTarget: v.inspectorsPerTarget,
        scheduledOn: v.scheduledOn.format('YYYY-MM-DD'),
        seed: v.seed?.trim() || undefined,
        subjectKinds: v.subjectKinds?.length ? v.subjectKinds : undefined,
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['sv-plan', id] }),
    onError: (e) => message.error(errorText(e)),
  });
  if (q.isLoading) return <Spin style={{ display: 'block', margin: '20vh auto' }} />;
  if (q.error || !q.data) return <Alert type="error" showIcon message={errorText(q.error)} />;
  const p = q.data;
  const names = new Map((inspectors.data ?? []).map((x) => [x.personId, x.name]));
  for (const i of p.inspections) for (const x of i.inspectors) names.set(x.personId, x.name);
  return (
    <div>
      <Link to="/supervision?tab=plans">
        <Button icon={<LeftOutlined />} type="text">
          {t('sv.back')}
        </Button>
      </Link>
      <Typography.Title level={4} style={{ marginTop: 4 }}>
        {p.name}
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        {p.regulatorName} · {p.subjectKinds.map((k) => t(`kind.${k}`)).join('、')} ·{' '}
        {t('sv.plan.target')} {p.targetCount}
        {p.notes ? ` · ${p.notes}` : ''}
      </Typography.Paragraph>
      {hasAnyRole(me!, 'regulator') && (
        <Card
          size="small"
          title={t('sv.plan.draw')}
          style={{ marginBottom: 12 }}
          data-testid="draw-form"
        >
          <Form
            form={form}
            layout="inline"
            initialValues={{
              count: 2,
              inspectorsPerTarget: 2,
              scheduledOn: dayjs(beijingToday()),
              subjectKinds: p.subjectKinds,
            }}
            onFinish={(v) => draw.mutate(v)}
          >
            <Form.Item name="subjectKinds" label={t('sv.plan.kinds')}>
              <Checkbox.Group
                options={p.subjectKinds.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
              />
            </Form.Item>
            <Form.Item name="count" label={t('sv.plan.count')} rules={[{ required: true }]}>
              <InputNumber min={1} max={1000} />
            </Form.Item>
            <Form.Item
              name="inspectorsPerTarget"
              label={t('sv.plan.perTarget')}
              rules={[{ required: true }]}
            >
              <InputNumber min={1} max={5} />
            </Form.Item>
            <Form.Item name="scheduledOn" label={t('sv.scheduledOn')} rules={[{ required: true }]}>
              <DatePicker />
            </Form.Item>
            <Form.Item name="seed" label={t('sv.plan.seed')} tooltip={t('sv.plan.seedHelp')}>
              <Input aria-label={t('sv.plan.seed')} style={{ width: 220 }} />
            </Form.Item>
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={draw.isPending}>
                {t('sv.plan.draw')}
              </Button>
            </Form.Item>
          </Form>
        </Card>
      )}
      <Typography.Title level={5}>{t('sv.plan.draws')}</Typography.Title>
      {[...p.draws].reverse().map((d) => (
        <DrawCard key={d.id} d={d} names={names} />
      ))}
      <Typography.Title level={5}>{t('sv.tabs.inspections')}</Typography.Title>
      <InspectionsTable rows={p.inspections} />
    </div>
  );
}
